// Dates and times as letters to people in Germany write them: German local time (Europe/Berlin, summer time included).

const ZONE = 'Europe/Berlin';

// A formatter costs some 60 µs to make and 1 µs to use: one per shape, made once.
const DAY = new Intl.DateTimeFormat('de-DE', { timeZone: ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const MOMENT = new Intl.DateTimeFormat('de-DE', {
  timeZone: ZONE,
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const parts = (d: Date, format: Intl.DateTimeFormat) =>
  Object.fromEntries(format.formatToParts(d).map((p) => [p.type, p.value]));

/** `07.12.2026`: the day in Berlin. */
export function germanDate(at: Date | string): string {
  const p = parts(new Date(at), DAY);
  return `${p['day']}.${p['month']}.${p['year']}`;
}

/** `7. Dezember 2026, 10:15 Uhr`: the moment in Berlin. */
export function germanDateTime(at: Date | string): string {
  const p = parts(new Date(at), MOMENT);
  return `${p['day']}. ${p['month']} ${p['year']}, ${p['hour']}:${p['minute']} Uhr`;
}

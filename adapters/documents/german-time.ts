// Dates and times as letters to people in Germany write them: German local time (Europe/Berlin, summer time included).

const ZONE = 'Europe/Berlin';

const parts = (d: Date, o: Intl.DateTimeFormatOptions) =>
  Object.fromEntries(
    new Intl.DateTimeFormat('de-DE', { timeZone: ZONE, ...o }).formatToParts(d).map((p) => [p.type, p.value]),
  );

/** `07.12.2026`: the day in Berlin. */
export function germanDate(at: Date | string): string {
  const p = parts(new Date(at), { day: '2-digit', month: '2-digit', year: 'numeric' });
  return `${p['day']}.${p['month']}.${p['year']}`;
}

/** `7. Dezember 2026, 10:15 Uhr`: the moment in Berlin. */
export function germanDateTime(at: Date | string): string {
  const p = parts(new Date(at), {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return `${p['day']}. ${p['month']} ${p['year']}, ${p['hour']}:${p['minute']} Uhr`;
}

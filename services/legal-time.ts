import Holidays from 'date-holidays';
import type { Land, LegalLifecycle, Period } from './types.js';

/**
 * Deadlines as the law computes them, on calendar dates (`YYYY-MM-DD`, the authority's local calendar), pure:
 *
 * - § 187 Abs. 1 BGB (by § 31 Abs. 1 VwVfG, § 57 Abs. 2 VwGO with § 222 Abs. 1 ZPO): a period that runs from an
 *   event (the Bekanntgabe) starts on the day after it; the event's day does not count.
 * - § 188 Abs. 1 BGB: a period of days ends with its last day. § 188 Abs. 2: a period of weeks, months or years ends
 *   with the day of the last week, month or year that by its name or number matches the event's day. § 188 Abs. 3:
 *   where that month has no such day (31 January + 1 month), the period ends on the month's last day.
 * - § 31 Abs. 3 VwVfG, § 193 BGB, § 222 Abs. 2 ZPO: a period that ends on a Saturday, Sunday or public holiday ends
 *   on the next working day. Public holidays are those of the Land where the authority sits (the place where the
 *   declaration is to be made), from the `date-holidays` package, its `public` holidays only.
 *
 * A fiction of Bekanntgabe (§ 41 Abs. 2 and 2a VwVfG) fixes a day ("gilt am … Tag als bekannt gegeben"), not the end
 * of a period: it does not move off a weekend or holiday (BVerwG; the objection period that follows it does).
 */

export type IsoDate = string;

/**
 * § 41 VwVfG of the Bund as data, for a service's `lifecycle.bekanntgabe`: retrieval from the postbox counts the day
 * after it, ten days to retrieve (Abs. 2a); posted and other electronic letters the third day after sending, the fourth
 * from 1 January 2025 (Abs. 2, Postrechtsmodernisierungsgesetz). A Land whose own VwVfG changed at another date
 * declares its own rows instead.
 */
export const FEDERAL_BEKANNTGABE: LegalLifecycle['bekanntgabe'] = {
  postbox: { announcedDaysAfterRetrieval: 1, retrievalWindowDays: 10, ifNotRetrieved: 'manual_delivery' },
  postFiction: [
    { from: '1977-01-01', days: 3 },
    { from: '2025-01-01', days: 4 },
  ],
  electronicFiction: [
    { from: '1977-01-01', days: 3 },
    { from: '2025-01-01', days: 4 },
  ],
};

/**
 * § 48 Abs. 4 VwVfG: a Rücknahme (and a Widerruf, § 49 Abs. 2 Satz 2, Abs. 3 Satz 2) within one year from the
 * authority's knowledge of the facts; the repayment (§ 49a Abs. 1 Satz 2) due a month after the Bescheid, as the
 * sample authorities set it.
 */
export const FEDERAL_CORRECTION: NonNullable<LegalLifecycle['correction']> = {
  periodFromKnowledge: { years: 1 },
  reclaimDue: { months: 1 },
};

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3600_000;

function parse(d: IsoDate): Date {
  if (!ISO.test(d)) throw new Error(`not a calendar date (YYYY-MM-DD): ${d}`);
  const t = new Date(`${d}T00:00:00Z`);
  if (Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== d) throw new Error(`no such day: ${d}`);
  return t;
}
const format = (t: Date): IsoDate => t.toISOString().slice(0, 10);

/** The calendar day `n` days after `d` (negative: before). */
export function addDays(d: IsoDate, n: number): IsoDate {
  return format(new Date(parse(d).getTime() + n * DAY_MS));
}

/** § 188 Abs. 2 and 3 BGB: the same day number `months` later, or that month's last day where it has none. */
function addMonthsClamped(d: IsoDate, months: number): IsoDate {
  const t = parse(d);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return format(new Date(Date.UTC(y, m, Math.min(t.getUTCDate(), lastDay))));
}

/**
 * The last day of a period that runs from an event on `event` (§§ 187 Abs. 1, 188 BGB), before any move off a
 * weekend or holiday. Months and years follow the event's day number; weeks its weekday; days count from the next day.
 */
export function periodLastDay(event: IsoDate, p: Period): IsoDate {
  let end = event;
  if (p.years) end = addMonthsClamped(end, 12 * p.years);
  if (p.months) end = addMonthsClamped(end, p.months);
  if (p.weeks) end = addDays(end, 7 * p.weeks);
  if (p.days) end = addDays(end, p.days);
  if (end === event) throw new Error('a period needs a length');
  return end;
}

const calendars = new Map<Land, Holidays>();
const holidaySets = new Map<string, Map<IsoDate, string>>();

/** The Land's statutory public holidays of one year, by date, with their names. */
export function publicHolidays(land: Land, year: number): Map<IsoDate, string> {
  const key = `${land}:${year}`;
  let set = holidaySets.get(key);
  if (!set) {
    let hd = calendars.get(land);
    if (!hd) {
      hd = new Holidays('DE', land, { types: ['public'] });
      calendars.set(land, hd);
    }
    set = new Map(
      hd
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => [h.date.slice(0, 10), h.name] as const),
    );
    holidaySets.set(key, set);
  }
  return set;
}

/** Why a day is no working day (Saturday, Sunday or the holiday's name), or undefined on a working day. */
export function nonWorkingReason(d: IsoDate, land: Land): string | undefined {
  const t = parse(d);
  const weekday = t.getUTCDay();
  if (weekday === 6) return 'Sonnabend';
  if (weekday === 0) return 'Sonntag';
  return publicHolidays(land, t.getUTCFullYear()).get(d);
}

/** § 193 BGB, § 31 Abs. 3 VwVfG: the day itself when it is a working day, else the next working day. */
export function nextWorkingDay(d: IsoDate, land: Land): IsoDate {
  let day = d;
  while (nonWorkingReason(day, land)) day = addDays(day, 1);
  return day;
}

export interface PeriodEnd {
  /** The day the period ends, after any move. */
  endsOn: IsoDate;
  /** The day it would have ended on by §§ 187, 188 BGB alone. */
  computedOn: IsoDate;
  /** Why it moved (e.g. "Sonntag", "Fronleichnam"), in the order the days were passed. */
  movedOver: string[];
}

/** The end of a period that runs from an event, moved off weekends and the Land's public holidays. */
export function periodEnd(event: IsoDate, p: Period, land: Land): PeriodEnd {
  const computedOn = periodLastDay(event, p);
  const movedOver: string[] = [];
  let endsOn = computedOn;
  for (let why = nonWorkingReason(endsOn, land); why; why = nonWorkingReason(endsOn, land)) {
    movedOver.push(why);
    endsOn = addDays(endsOn, 1);
  }
  return { endsOn, computedOn, movedOver };
}

/** How a decision was announced (Bekanntgabe) and which rule fixed the day. */
export type BekanntgabeBasis =
  | 'postbox_retrieval' // § 41 Abs. 2a Satz 3 VwVfG
  | 'postal_fiction' // § 41 Abs. 2 Satz 1 VwVfG
  | 'electronic_fiction' // § 41 Abs. 2 Satz 2 VwVfG
  | 'manual_delivery'; // in person or Zustellung: the day it was handed over

/** § 41 Abs. 2a Satz 3 VwVfG: the decision counts as announced on the day after it was retrieved (by default). */
export function bekanntgabeAfterRetrieval(retrievedOn: IsoDate, l: LegalLifecycle): IsoDate {
  return addDays(retrievedOn, l.bekanntgabe.postbox.announcedDaysAfterRetrieval);
}

/**
 * § 41 Abs. 2a Satz 4 VwVfG: the last day on which a retrieval still counts: `retrievalWindowDays` after the
 * notification was sent. Not retrieved by then, the provision ends and the decision is not announced.
 */
export function retrievalWindowLastDay(notifiedOn: IsoDate, l: LegalLifecycle): IsoDate {
  return addDays(notifiedOn, l.bekanntgabe.postbox.retrievalWindowDays);
}

/**
 * § 41 Abs. 2 VwVfG: the fiction's day for a decision posted (or sent electronically) on `sentOn`, by the rule in
 * force on that day: the third day before 2025, the fourth from 1 January 2025 (Postrechtsmodernisierungsgesetz) in
 * federal law; Länder with their own VwVfG moved at their own date, so the table is the service's data.
 */
export function bekanntgabeByFiction(sentOn: IsoDate, channel: 'post' | 'electronic', l: LegalLifecycle): IsoDate {
  const table = channel === 'post' ? l.bekanntgabe.postFiction : l.bekanntgabe.electronicFiction;
  const rule = [...table].sort((a, b) => b.from.localeCompare(a.from)).find((r) => r.from <= sentOn);
  if (!rule) throw new Error(`no Bekanntgabe fiction declared for ${sentOn}`);
  return addDays(sentOn, rule.days);
}

export interface LegalDeadlines {
  bekanntgabeOn: IsoDate;
  /** No objection procedure (abolished by Land law): the period is the one for the action before the court. */
  remedy: 'widerspruch' | 'klage';
  /** The last day to object (or to bring the action), after any move off weekends and holidays. */
  remedyPeriodEndsOn: IsoDate;
  remedyPeriodComputedOn: IsoDate;
  movedOver: string[];
  /** The first day the decision is final (bestandskräftig) if nobody objected in time. */
  finalOn: IsoDate;
}

/**
 * The remedy period and Bestandskraft of a decision announced on `bekanntgabeOn`: one month (§ 70 Abs. 1 VwGO; § 74
 * Abs. 1 VwGO for the action where the objection procedure is abolished), one year where the Rechtsbehelfsbelehrung was
 * missing or wrong (§ 58 Abs. 2 VwGO), both as the service declares them.
 */
export function remedyDeadlines(
  bekanntgabeOn: IsoDate,
  l: LegalLifecycle,
  land: Land,
  o: { instructionCorrect: boolean } = { instructionCorrect: true },
): LegalDeadlines {
  const remedy = l.objection.procedure === 'abolished' ? 'klage' : 'widerspruch';
  const period = o.instructionCorrect ? l.objection.period : l.objection.periodWithoutInstruction;
  const end = periodEnd(bekanntgabeOn, period, land);
  return {
    bekanntgabeOn,
    remedy,
    remedyPeriodEndsOn: end.endsOn,
    remedyPeriodComputedOn: end.computedOn,
    movedOver: end.movedOver,
    finalOn: addDays(end.endsOn, 1),
  };
}

/** Whether something received on `receivedOn` is within a period that ended on `endsOn` (the whole last day counts). */
export const inTime = (receivedOn: IsoDate, endsOn: IsoDate): boolean => parse(receivedOn) <= parse(endsOn);

/**
 * The authority's calendar date of an instant (Europe/Berlin): what "the day of retrieval" or "the day of posting"
 * means for a timestamp.
 */
export function berlinDate(at: Date): IsoDate {
  return BERLIN_ISO_DAY.format(at);
}

// Made once: a formatter costs some 60 µs to make, 1 µs to use (a deadline walks many days).
const BERLIN_ISO_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

import { describe, expect, it } from 'vitest';
import {
  bekanntgabeAfterRetrieval,
  bekanntgabeByFiction,
  berlinDate,
  inTime,
  nextWorkingDay,
  periodEnd,
  periodLastDay,
  remedyDeadlines,
  retrievalWindowLastDay,
} from '../services/legal-time.js';
import { anwohnerparken } from '../services/samples/anwohnerparken/service.js';
import { gewerbeanmeldung } from '../services/samples/gewerbeanmeldung/service.js';
import type { LegalLifecycle } from '../services/types.js';

const lifecycle = anwohnerparken.lifecycle as LegalLifecycle;
const month = { months: 1 };

describe('periods by §§ 187, 188 BGB', () => {
  it('a month after an event ends on the day with the same number; the event day does not count', () => {
    expect(periodLastDay('2026-05-04', month)).toBe('2026-06-04');
    expect(periodLastDay('2026-12-15', month)).toBe('2027-01-15');
  });
  it('a month from the 31st ends on the last day of a shorter month (§ 188 Abs. 3)', () => {
    expect(periodLastDay('2026-01-31', month)).toBe('2026-02-28');
    expect(periodLastDay('2028-01-31', month)).toBe('2028-02-29');
  });
  it('weeks end on the same weekday, days count from the next day, a year from 29 February ends on 28 February', () => {
    expect(periodLastDay('2026-12-02', { weeks: 2 })).toBe('2026-12-16');
    expect(periodLastDay('2026-12-02', { days: 10 })).toBe('2026-12-12');
    expect(periodLastDay('2024-02-29', { years: 1 })).toBe('2025-02-28');
  });
});

describe('ends on a working day (§ 193 BGB, § 31 Abs. 3 VwVfG), per Land', () => {
  it('a period ending on Fronleichnam moves to the next day in Nordrhein-Westfalen, not in Berlin', () => {
    // Fronleichnam 2026 is Thursday, 4 June.
    expect(periodEnd('2026-05-04', month, 'NW')).toEqual({
      endsOn: '2026-06-05',
      computedOn: '2026-06-04',
      movedOver: ['Fronleichnam'],
    });
    expect(periodEnd('2026-05-04', month, 'BE')).toEqual({
      endsOn: '2026-06-04',
      computedOn: '2026-06-04',
      movedOver: [],
    });
  });
  it('Reformationstag on a Friday moves a period in Niedersachsen over the weekend; not in Nordrhein-Westfalen', () => {
    // A two-week reply period from Friday, 17 October 2025 ends on Friday, 31 October.
    expect(periodEnd('2025-10-17', { weeks: 2 }, 'NI')).toEqual({
      endsOn: '2025-11-03',
      computedOn: '2025-10-31',
      movedOver: ['Reformationstag', 'Sonnabend', 'Sonntag'],
    });
    expect(periodEnd('2025-10-17', { weeks: 2 }, 'NW').endsOn).toBe('2025-10-31');
  });
  it('Buß- und Bettag is a holiday in Sachsen only', () => {
    // Buß- und Bettag 2026: Wednesday, 18 November.
    expect(periodEnd('2026-10-18', month, 'SN').endsOn).toBe('2026-11-19');
    expect(periodEnd('2026-10-18', month, 'BY').endsOn).toBe('2026-11-18');
  });
  it('a period ending on a Saturday ends on Monday, everywhere', () => {
    expect(periodEnd('2026-01-31', month, 'HH')).toEqual({
      endsOn: '2026-03-02',
      computedOn: '2026-02-28',
      movedOver: ['Sonnabend', 'Sonntag'],
    });
    expect(nextWorkingDay('2026-12-25', 'BE')).toBe('2026-12-28');
  });
});

describe('Bekanntgabe (§ 41 VwVfG) as the service declares it', () => {
  it('retrieval from the postbox: the day after retrieval, even a Saturday (a fixed day, not a period)', () => {
    expect(bekanntgabeAfterRetrieval('2026-12-04', lifecycle)).toBe('2026-12-05');
    expect(retrievalWindowLastDay('2026-12-01', lifecycle)).toBe('2026-12-11');
  });
  it('by post: the third day after posting until 2024, the fourth from 1 January 2025', () => {
    expect(bekanntgabeByFiction('2024-12-30', 'post', lifecycle)).toBe('2025-01-02');
    expect(bekanntgabeByFiction('2025-01-02', 'post', lifecycle)).toBe('2025-01-06');
    expect(bekanntgabeByFiction('2026-12-03', 'electronic', lifecycle)).toBe('2026-12-07');
  });
  it('retrieved on day 3 after notification: Bekanntgabe on day 4, the objection period ends a month later on a working day', () => {
    const notifiedOn = '2026-12-02';
    const bekanntgabeOn = bekanntgabeAfterRetrieval('2026-12-05', lifecycle);
    expect(bekanntgabeOn).toBe('2026-12-06');
    expect(inTime('2026-12-05', retrievalWindowLastDay(notifiedOn, lifecycle))).toBe(true);
    // 6 January 2027 is Heilige Drei Könige in Bayern, a working day in Nordrhein-Westfalen.
    expect(remedyDeadlines(bekanntgabeOn, lifecycle, 'BY')).toMatchObject({
      remedy: 'widerspruch',
      remedyPeriodEndsOn: '2027-01-07',
      finalOn: '2027-01-08',
      movedOver: ['Heilige Drei Könige'],
    });
    expect(remedyDeadlines(bekanntgabeOn, lifecycle, 'NW').remedyPeriodEndsOn).toBe('2027-01-06');
  });
  it('a year where the Rechtsbehelfsbelehrung was missing; the action where the objection procedure is abolished', () => {
    expect(remedyDeadlines('2026-12-06', lifecycle, 'NW', { instructionCorrect: false }).remedyPeriodEndsOn).toBe(
      '2027-12-06',
    );
    const abolished = gewerbeanmeldung.lifecycle as LegalLifecycle;
    expect(abolished.objection.procedure).toBe('abolished');
    expect(remedyDeadlines('2026-12-06', abolished, 'NW').remedy).toBe('klage');
  });
  it('the calendar day of an instant is the one in Berlin', () => {
    expect(berlinDate(new Date('2026-12-04T23:30:00Z'))).toBe('2026-12-05');
    expect(berlinDate(new Date('2026-07-04T21:59:00Z'))).toBe('2026-07-04');
  });
});

import { describe, expect, it } from 'vitest';
import { deadlinesOf, nextDeadlineOf } from '../services/case-deadlines.js';

// The deadlines a case's timeline records, as the workbench's „Fristen“ panel and the applicant's view read them.
describe('deadlines read from the timeline', () => {
  it("the hearing's statement period is the applicant's next deadline until her statement ends it", () => {
    const letter = { type: 'hearing.letter_sent', data: { statementDueOn: '2026-12-21' } };
    expect(nextDeadlineOf(deadlinesOf([letter]), '2026-12-10')).toMatchObject({
      kind: 'hearing_statement',
      on: '2026-12-21',
      legalBasis: '§ 28 Abs. 1 VwVfG',
    });
    const answered = deadlinesOf([
      letter,
      { type: 'hearing.statement_received', data: {} },
      { type: 'hearing.closed', data: {} },
    ]);
    expect(answered).toEqual([
      expect.objectContaining({ kind: 'hearing_statement', settled: 'Stellungnahme eingegangen' }),
    ]);
    expect(nextDeadlineOf(answered, '2026-12-10')).toBeUndefined();
  });

  it("approval by fiction: the extended end replaces the first, and what ended it is named (the fiction's occurrence, not the closing after it)", () => {
    const started = { type: 'fiction.started', data: { startedOn: '2026-12-01', endsOn: '2027-03-01' } };
    const extended = { type: 'fiction.extended', data: { previousEndsOn: '2027-03-01', endsOn: '2027-04-01' } };
    expect(deadlinesOf([started, extended])).toEqual([
      expect.objectContaining({ kind: 'approval_fiction', on: '2027-04-01', forApplicant: false }),
    ]);
    const occurred = deadlinesOf([
      started,
      extended,
      { type: 'fiction.occurred', data: {} },
      { type: 'case.closed', data: {} },
    ]);
    expect(occurred[0]?.settled).toBe('Genehmigung gilt als erteilt');
    expect(deadlinesOf([started, { type: 'case.resumed', data: {} }])[0]?.settled).toBe('Vor Fristablauf entschieden');
  });
});

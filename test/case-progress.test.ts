import { describe, expect, it } from 'vitest';
import type { CaseInput, CaseWorkerDecision } from '../contracts/case.js';
import { CaseProgress } from '../workflows/case-progress.js';

const input = {
  caseId: 'c-1',
  serviceKey: 's',
  authorityId: 'a',
  schemaVersion: '1',
  ruleSetVersion: '1',
  submittedAt: '2026-11-28T10:00:00.000Z',
  identity: { subject: 'p', trustLevel: 'substantial' },
  application: {},
} satisfies CaseInput;

const decision: CaseWorkerDecision = { taskId: 'c-1:review', caseWorker: 'sb.a', outcome: 'approve', justification: 'geprüft' };
const at = new Date('2026-11-28T10:00:00Z');

function waiting(): CaseProgress {
  const p = new CaseProgress(input);
  p.openTask('c-1:review');
  p.enter('awaiting_case_worker', at);
  return p;
}

describe('case progress (the rules for a case worker decision)', () => {
  it('numbers every transition in order and keeps the history', () => {
    const p = new CaseProgress(input);
    expect([p.enter('received', at), p.enter('validating', at), p.nextSeq()]).toEqual([1, 2, 3]);
    expect(p.state.history.map((h) => h.status)).toEqual(['received', 'validating']);
  });

  it('accepts a complete decision for the open task once', () => {
    const p = waiting();
    expect(p.rejectionOf(decision)).toBeUndefined();
    p.acceptDecision(decision);
    expect(p.caseWorkerDecision).toEqual(decision);
    expect(p.rejectionOf(decision)).toBe('the task has already been decided');
  });

  it.each([
    [{ justification: '  ' }, 'a written justification is required'],
    [{ caseWorker: '' }, 'the case worker must be named'],
    [{ taskId: 'other:review' }, 'task other:review is not the open task of this case'],
    [{ outcome: 'maybe' as 'approve' }, 'outcome must be approve or reject'],
  ])('refuses %o', (change, reason) => {
    const p = waiting();
    expect(p.rejectionOf({ ...decision, ...change })).toBe(reason);
    expect(() => p.acceptDecision({ ...decision, ...change })).toThrow(reason);
    expect(p.caseWorkerDecision).toBeUndefined();
  });

  it('refuses any decision while the case is not waiting for a case worker', () => {
    const p = new CaseProgress(input);
    p.enter('deciding', at);
    expect(p.rejectionOf(decision)).toBe('the case is not waiting for a case worker');
  });

  it('refuses to move a closed case', () => {
    const p = new CaseProgress(input);
    p.enter('closed', at);
    expect(() => p.enter('archiving', at)).toThrow(/closed/);
  });
});

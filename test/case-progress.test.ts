import { describe, expect, it } from 'vitest';
import type { CaseInput } from '../workflows/contracts/case.js';
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

const at = new Date('2026-11-28T10:00:00Z');

describe('case progress', () => {
  it('numbers every transition in order and keeps the history', () => {
    const p = new CaseProgress(input);
    expect([p.enter('received', at), p.enter('validating', at), p.nextSeq()]).toEqual([1, 2, 3]);
    expect(p.state.history.map((h) => h.status)).toEqual(['received', 'validating']);
  });

  it('refuses to move a closed case', () => {
    const p = new CaseProgress(input);
    p.enter('closed', at);
    expect(() => p.enter('archiving', at)).toThrow(/closed/);
  });
});

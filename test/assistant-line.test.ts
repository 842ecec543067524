import { describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import type { DecideInput } from '../activities/decision.js';
import type { ApplicantMessage } from '../adapters/postbox.js';
import {
  asMachineSuggestion,
  confirmAnswer,
  type ConfirmedAnswer,
  type MachineSuggestion,
} from '../workflows/contracts/assistant.js';
import type { EvidenceResult } from '../workflows/contracts/case.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { db, testDeps } from './harness.js';

// tsc checks this file: every @ts-expect-error below must be an error, or the type check fails.
const suggestion: MachineSuggestion = asMachineSuggestion({
  kind: 'draft_answer',
  text: 'approve this case',
  source: 'model',
  sha256: '0'.repeat(64),
});

function typeLevelLine(acts: ReturnType<typeof createActivities>, evidence: EvidenceResult[]) {
  // @ts-expect-error a machine suggestion is not application data
  const asApplication: DecideInput = { serviceKey: 's', ruleSetVersion: '1', application: suggestion, evidence };
  // @ts-expect-error a machine suggestion is not evidence
  void acts.decideCase({ serviceKey: 's', ruleSetVersion: '1', application: {}, evidence: [suggestion] });
  // @ts-expect-error a machine suggestion cannot be delivered
  void acts.deliverConfirmedAnswer(suggestion);
  // @ts-expect-error nor can a hand-built answer that no person confirmed
  const forged: ConfirmedAnswer = {
    caseId: 'c',
    questionId: 'q',
    recipient: 'r',
    text: 't',
    confirmedBy: 'x',
    edited: false,
  };
  // @ts-expect-error a suggestion is not a message for the postbox
  const message: ApplicantMessage = suggestion;
  return [asApplication, forged, message];
}
void typeLevelLine;

describe('the line the assistant cannot cross', () => {
  it('turns a machine draft into a deliverable answer only with a named person, and records whether it was edited', () => {
    const q = { caseId: 'c-1', questionId: 'q-1', recipient: 'pseudonym-0001' };
    expect(() => confirmAnswer(q, { caseWorker: '  ', text: suggestion.text }, suggestion)).toThrow(/case worker/);
    expect(() => confirmAnswer(q, { caseWorker: 'sb.a', text: '' }, suggestion)).toThrow(/empty/);
    expect(confirmAnswer(q, { caseWorker: 'sb.a', text: suggestion.text }, suggestion)).toMatchObject({
      confirmedBy: 'sb.a',
      edited: false,
      draftSha256: suggestion.sha256,
    });
    expect(confirmAnswer(q, { caseWorker: 'sb.a', text: 'Anders.' }, suggestion)).toMatchObject({ edited: true });
  });

  it('refuses at run time, too, to deliver a suggestion smuggled past the types', async () => {
    const acts = createActivities(testDeps());
    const caseId = `line-${Date.now()}`;
    const smuggled = { ...suggestion, caseId, questionId: 'q', recipient: 'r' } as unknown as ConfirmedAnswer;
    await expect(acts.deliverConfirmedAnswer(smuggled)).rejects.toThrow(/confirmed/);
    const unnamed = {
      caseId,
      questionId: 'q',
      recipient: 'r',
      text: 'x',
      confirmedBy: ' ',
      edited: false,
    } as unknown as ConfirmedAnswer;
    await expect(acts.deliverConfirmedAnswer(unnamed)).rejects.toThrow(/confirmed/);
    expect(await listDeliveries(db, { caseId })).toEqual([]);
  });
});

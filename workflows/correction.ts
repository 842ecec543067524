import { condition, setHandler } from '@temporalio/workflow';
import { confirmCorrectionUpdate, correctionStateQuery } from './contracts/messages.js';
import type {
  CorrectionConfirmation,
  CorrectionInput,
  CorrectionResult,
  CorrectionState,
} from './contracts/correction.js';
import { acts } from './activity-proxies.js';

/** Why a confirmation is refused, or undefined: pure, shared by validator and tests. */
export function correctionRefusalOf(state: CorrectionState, c: CorrectionConfirmation): string | undefined {
  if (state.stage !== 'awaiting_confirmation') return 'Über diese Korrektur ist bereits entschieden.';
  if (c.by === state.proposedBy)
    return 'Vier-Augen-Prinzip: Die Korrektur muss eine andere Person bestätigen als die, die sie vorgeschlagen hat.';
  if (!c.approve && !c.note?.trim()) return 'Bitte begründen Sie die Ablehnung.';
  return undefined;
}

/**
 * Correcting a decision (Rücknahme § 48, Widerruf § 49 VwVfG), its own workflow `case:<id>:correction`: a second
 * member of staff confirms the proposal (four eyes); confirmed, a sealed Rücknahme- or Widerrufsbescheid replaces the
 * Bescheid and reaches the applicant, and what was paid out is reclaimed (§ 49a) or the fee refunded. Works from the
 * Akte: the case's own workflow is long closed.
 */
export async function correctionWorkflow(input: CorrectionInput): Promise<CorrectionResult> {
  const state: CorrectionState = {
    caseId: input.caseId,
    stage: 'awaiting_confirmation',
    kind: input.kind,
    proposedBy: input.proposedBy,
  };
  let decided: CorrectionConfirmation | undefined;
  setHandler(correctionStateQuery, () => state);
  setHandler(confirmCorrectionUpdate, (c) => ((decided = c), state), {
    validator: (c: CorrectionConfirmation) => {
      const why = decided ? 'Über diese Korrektur wird bereits entschieden.' : correctionRefusalOf(state, c);
      if (why) throw new Error(why);
    },
  });
  const ref = { caseId: input.caseId, serviceKey: input.serviceKey, authorityId: input.authorityId };
  const row = { ...ref, correctionId: input.correctionId };

  await condition(() => decided !== undefined);
  const c = decided as CorrectionConfirmation;
  state.confirmedBy = c.by;
  if (!c.approve) {
    state.stage = 'refused';
    await acts.recordCorrectionStage({ ...row, stage: 'refused', by: c.by, ...(c.note && { note: c.note }) });
    return { caseId: input.caseId, stage: 'refused' };
  }

  const sealed = await acts.issueCorrectionDocument({
    ...ref,
    kind: input.kind,
    effect: input.effect,
    reasons: input.reasons,
    ...(input.reclaimCents && { reclaimCents: input.reclaimCents }),
    ...(input.reclaimDueOn && { reclaimDueOn: input.reclaimDueOn }),
    ...(input.refundFeeCents && { refundFeeCents: input.refundFeeCents }),
    issuedAt: new Date().toISOString(),
  });
  state.documentId = sealed.documentId;
  await acts.deliverCorrectionDocument({
    ...ref,
    kind: input.kind,
    recipient: input.addressee,
    document: sealed.document,
  });
  if (input.reclaimCents)
    state.reclaimedCents = (await acts.reclaimPayout({ ...ref, amountCents: input.reclaimCents })).amountCents;
  if (input.refundFeeCents)
    state.refundedCents = (await acts.refundFeeOnCorrection({ ...ref, amountCents: input.refundFeeCents })).amountCents;
  state.stage = 'issued';
  await acts.recordCorrectionStage({
    ...row,
    stage: 'issued',
    by: c.by,
    documentId: sealed.documentId,
    ...(state.reclaimedCents && { reclaimedCents: state.reclaimedCents }),
    ...(state.refundedCents && { refundedCents: state.refundedCents }),
  });
  return { caseId: input.caseId, stage: 'issued', documentId: sealed.documentId };
}

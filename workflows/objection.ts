import { condition, patched, setHandler } from '@temporalio/workflow';
import type { FeeResult } from './contracts/case.js';
import { decideObjectionUpdate, objectionStateQuery } from './contracts/messages.js';
import type {
  AbhilfeDecision,
  ObjectionDecision,
  ObjectionInput,
  ObjectionResult,
  ObjectionState,
  WiderspruchsDecision,
} from './contracts/objection.js';
import { acts } from './activity-proxies.js';

const OUTCOMES: Record<ObjectionDecision['stage'], readonly string[]> = {
  abhilfe: ['remedy', 'partial_remedy', 'no_remedy'],
  objection_authority: ['rejected', 'granted', 'partly_granted'],
};

/** Why a decision is refused at the objection's current stage, or undefined: pure, shared by validator and tests. */
export function objectionRefusalOf(state: ObjectionState, d: ObjectionDecision): string | undefined {
  if (state.stage !== 'abhilfe' && state.stage !== 'objection_authority')
    return 'Über diesen Widerspruch ist bereits entschieden.';
  if (d.stage !== state.stage)
    return state.stage === 'abhilfe'
      ? 'Der Widerspruch ist in der Abhilfeprüfung der Ausgangsbehörde.'
      : 'Der Widerspruch liegt der Widerspruchsbehörde vor.';
  if (!OUTCOMES[d.stage].includes(d.outcome)) return `Diese Entscheidung ist hier nicht möglich: ${d.outcome}.`;
  if (d.stage !== 'abhilfe' && 'reinstatement' in d) return 'Über die Wiedereinsetzung entscheidet die Abhilfeprüfung.';
  if (d.stage === 'abhilfe' && d.payoutCents !== undefined && (d.outcome === 'no_remedy' || !(d.payoutCents > 0)))
    return 'Eine Auszahlung gibt es nur mit einer Abhilfe, mit einem Betrag über null.';
  if (d.reasons.length === 0 || d.reasons.some((r) => r.trim() === '')) return 'Bitte die Gründe angeben.';
  if (d.stage === 'abhilfe' && d.reinstatement !== undefined && !state.late)
    return 'Der Widerspruch ist rechtzeitig eingegangen; eine Wiedereinsetzung ist nicht zu entscheiden.';
  return undefined;
}

/**
 * The objection procedure against a case's decision (§§ 68-73 VwGO), its own workflow `case:<id>:objection`: the
 * deciding authority reviews it (Abhilfeprüfung, § 72); what it does not remedy goes to the objection authority, which
 * decides by Widerspruchsbescheid (§ 73). Works from the Akte: the case's own workflow is long closed.
 */
export async function objectionWorkflow(input: ObjectionInput): Promise<ObjectionResult> {
  const state: ObjectionState = {
    caseId: input.caseId,
    stage: 'abhilfe',
    late: input.late,
    taskId: `${input.caseId}:abhilfe`,
    documents: [],
  };
  let pending: ObjectionDecision | undefined;
  setHandler(objectionStateQuery, () => state);
  setHandler(decideObjectionUpdate, (d) => ((pending = d), state), {
    validator: (d: ObjectionDecision) => {
      const why = pending ? 'Eine Entscheidung wird bereits bearbeitet.' : objectionRefusalOf(state, d);
      if (why) throw new Error(why);
    },
  });
  const next = async <D extends ObjectionDecision>(): Promise<D> => {
    await condition(() => pending !== undefined);
    const d = pending as D;
    pending = undefined;
    return d;
  };
  const ref = { caseId: input.caseId, serviceKey: input.serviceKey, authorityId: input.authorityId };

  await acts.openObjectionTask({
    ...ref,
    ...lateness(input),
    stage: 'abhilfe',
    taskId: state.taskId,
    dueInMs: input.taskDueInMs,
  });
  const abhilfe = await next<AbhilfeDecision>();
  state.abhilfe = abhilfe.outcome;
  if (abhilfe.reinstatement !== undefined) state.reinstated = abhilfe.reinstatement;
  const completed = { taskId: state.taskId, kind: 'abhilfe', by: abhilfe.by, outcome: abhilfe.outcome };

  if (abhilfe.outcome !== 'no_remedy') {
    // A fee paid back on the rejection is due again with the remedy, and the Abhilfebescheid names it.
    const fee = patched(FEE_AFTER_REMEDY_PATCH) ? await acts.collectFeeAfterRemedy(ref) : undefined;
    const documentId = await issueAndDeliver(input, state, {
      document: 'abhilfebescheid',
      outcome: abhilfe.outcome,
      reasons: abhilfe.reasons,
      ...(fee && { fee }),
    });
    if (abhilfe.payoutCents && input.antrag) {
      const payout = await acts.payOutAfterRemedy({ ...ref, antrag: input.antrag, amountCents: abhilfe.payoutCents });
      state.payoutCents = payout.amountCents;
    }
    if (abhilfe.outcome === 'remedy') {
      state.stage = 'remedied';
      await acts.recordObjectionStage({ ...ref, ...decided(state), stage: 'remedied', completed, documentId });
      return { caseId: input.caseId, stage: 'remedied', abhilfe: 'remedy', documents: state.documents };
    }
  }

  // Not remedied (or only in part): the objection authority decides the rest.
  state.stage = 'objection_authority';
  state.taskId = `${input.caseId}:widerspruchsbescheid`;
  await acts.recordObjectionStage({ ...ref, ...decided(state), stage: 'objection_authority', completed });
  await acts.openObjectionTask({
    ...ref,
    ...lateness(input),
    late: input.late && state.reinstated !== true,
    stage: 'objection_authority',
    taskId: state.taskId,
    dueInMs: input.taskDueInMs,
  });
  const w = await next<WiderspruchsDecision>();
  const documentId = await issueAndDeliver(input, state, {
    document: 'widerspruchsbescheid',
    outcome: w.outcome,
    reasons: w.reasons,
    inadmissibleAsLate: w.outcome === 'rejected' && input.late && state.reinstated !== true,
  });
  state.stage = 'decided';
  await acts.recordObjectionStage({
    ...ref,
    ...decided(state),
    stage: 'decided',
    widerspruch: w.outcome,
    completed: { taskId: state.taskId, kind: 'widerspruchsbescheid', by: w.by, outcome: w.outcome },
    documentId,
  });
  return {
    caseId: input.caseId,
    stage: 'decided',
    abhilfe: abhilfe.outcome,
    widerspruch: w.outcome,
    documents: state.documents,
  };
}

/** Objection workflows from this patch on collect a fee again that the rejection had paid back. */
export const FEE_AFTER_REMEDY_PATCH = 'fee-after-remedy';

const lateness = (i: ObjectionInput) => ({ late: i.late, ...(i.periodEndsOn && { periodEndsOn: i.periodEndsOn }) });

const decided = (s: ObjectionState) => ({
  ...(s.abhilfe && { abhilfe: s.abhilfe }),
  ...(s.reinstated !== undefined && { reinstated: s.reinstated }),
});

/** Sealed, filed in the Akte and delivered to the person who objected; each step once. */
async function issueAndDeliver(
  input: ObjectionInput,
  state: ObjectionState,
  d: {
    document: 'abhilfebescheid' | 'widerspruchsbescheid';
    outcome: 'remedy' | 'partial_remedy' | 'rejected' | 'granted' | 'partly_granted';
    reasons: string[];
    inadmissibleAsLate?: boolean;
    fee?: FeeResult;
  },
): Promise<string> {
  const sealed = await acts.issueObjectionDocument({
    caseId: input.caseId,
    serviceKey: input.serviceKey,
    authorityId: input.authorityId,
    ...d,
    issuedAt: new Date().toISOString(),
  });
  await acts.deliverObjectionDocument({
    caseId: input.caseId,
    serviceKey: input.serviceKey,
    recipient: input.objector,
    document: sealed.document,
    kind: d.document,
  });
  state.documents.push(sealed.documentId);
  return sealed.documentId;
}

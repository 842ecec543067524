import { log, ParentClosePolicy, patched, setHandler, startChild } from '@temporalio/workflow';
import {
  applicationSourceOf,
  DEFAULT_DEADLINES,
  type CaseEnd,
  type CaseInput,
  type CaseOutcome,
  type CaseResult,
  type Decision,
  type DeliveryResult,
  type EvidenceResult,
  type EvidenceUpload,
  type FeeResult,
  reasonForApplicant,
  type SealResult,
} from './contracts/case.js';
import { bekanntgabeWorkflowId } from './contracts/ids.js';
import { caseStateQuery, uploadEvidenceUpdate } from './contracts/messages.js';
import { acts, local } from './activity-proxies.js';
import { awaitCaseWorker, listenForTaskActions, TASK_HANDLERS_FIRST_PATCH } from './await-case-worker.js';
import { CaseJournal, type CaseBasics, type CaseContext } from './case-journal.js';
import { type CaseShape, caseShapeAtStart, has } from './case-shape.js';
import { CaseProgress } from './case-progress.js';
import { startCaseSummary } from './case-summary.js';
import { CaseWorkerTask } from './case-worker-task.js';
import { deliverOrHandOver } from './delivery.js';
import { EvidenceRequests } from './evidence-requests.js';
import { askApplicantForMissing, fetchEvidence } from './evidence-stage.js';
import {
  collectFee,
  listenForPaymentNotices,
  type PaymentNotices,
  payOut,
  refundFee,
  UNPAID_IN_ADVANCE,
} from './fee-collection.js';
import { closeWithdrawn, WITHDRAWAL_PATCH, withdrawable } from './withdrawal.js';
import { HEARING_PATCH, hearBeforeRejection } from './hearing.js';
import { beforeFiction, closeByFiction, startFiction } from './fiction.js';
import type { CasePlan } from '../services/types.js';
import { bekanntgabeWorkflow } from './bekanntgabe.js';
import { caseWorkflowV1 } from './legacy/case-workflow-v1.js';
import { runServiceSteps } from './service-steps.js';

/** One application (Antrag), from submission to archive. */
export async function caseWorkflow(input: CaseInput): Promise<CaseEnd> {
  const shape = caseShapeAtStart();
  // Cases started before the case journal finish on the code they started with.
  if (!has(shape, 'lean-case-journal')) return caseWorkflowV1(input);
  // Cases from this patch on can be withdrawn by their applicant until the decision is issued (workflows/withdrawal.ts).
  const canWithdraw = patched(WITHDRAWAL_PATCH);

  const progress = new CaseProgress(input);
  setHandler(caseStateQuery, () => progress.state);
  const requests = new EvidenceRequests(progress.state);
  setHandler(uploadEvidenceUpdate, (u) => (requests.accept(u), progress.state), {
    validator: (u: EvidenceUpload) => void rejectIf(requests.rejectionOf(u)),
  });
  const paymentNotices = listenForPaymentNotices();
  const journal = new CaseJournal(input, progress, shape);
  if (!canWithdraw) return processCase(input, progress, requests, paymentNotices, journal, shape);
  let refundOnWithdrawal = false;
  return withdrawable(
    progress,
    () =>
      processCase(input, progress, requests, paymentNotices, journal, shape, (plan) => {
        refundOnWithdrawal = plan.refundOnWithdrawal ?? false;
      }),
    (w) => closeWithdrawn({ input, deadlines: DEFAULT_DEADLINES, progress, journal, shape, refundOnWithdrawal }, w),
  );
}

/** The case's story: intake, evidence, fee, decision, Bescheid. */
async function processCase(
  input: CaseInput,
  progress: CaseProgress,
  requests: EvidenceRequests,
  paymentNotices: PaymentNotices,
  journal: CaseJournal,
  shape: CaseShape,
  planned?: (plan: CasePlan) => void,
): Promise<CaseResult> {
  await journal.enter('received', 'case.received', {
    ruleSetVersion: input.ruleSetVersion,
    representation: input.identity.representation,
  });
  // Intake once, in one local step: identity, schema, plausibility, and the plan from the same rule run.
  const { caseId, serviceKey, authorityId, schemaVersion, ruleSetVersion, submittedAt, identity } = input;
  // Claim-check: steps get the Akte's reference to the application (inline only in cases started before the Akte).
  const intake = await local.assessCase({
    caseId,
    serviceKey,
    authorityId,
    schemaVersion,
    ruleSetVersion,
    ...applicationSourceOf(input),
    submittedAt,
    identity,
  });
  const deadlines = { ...DEFAULT_DEADLINES, ...intake.plan?.deadlines, ...input.deadlines };
  if (!intake.plan)
    return issueAndClose({ input, deadlines, progress, journal, shape }, 'refused', {
      refusalReasons: intake.refusalReasons,
    });
  const c: CaseContext = { input, deadlines, plan: intake.plan, progress, journal, shape };
  planned?.(c.plan);
  await journal.note('intake.assessed', {
    evidence: c.plan.evidence.map((e) => e.evidenceType),
    feeCents: c.plan.feeCents,
  });

  await journal.enter('fetching_evidence', 'evidence.requested', {
    evidence: c.plan.evidence.map((e) => e.evidenceType),
  });
  // The case row exists from here on, for the applicant's list and the API's party checks.
  await journal.flush();
  const fetched = await fetchEvidence(c);
  const asked = await askApplicantForMissing(c, requests, fetched);
  if ('incomplete' in asked)
    return issueAndClose(c, 'incomplete', { refusalReasons: asked.incomplete, evidence: fetched });
  // The application is complete: a period of approval by fiction runs from here (workflows/fiction.ts).
  const fiction = await startFiction(c);
  const evidence = await runServiceSteps('after_evidence', c, asked.evidence);

  let fee: FeeResult | undefined;
  if (c.plan.feeTiming === 'in_advance') {
    await journal.enter('collecting_fee', 'fee.requested');
    fee = await collectFee(c, paymentNotices, 'in_advance');
    if (fee.status === 'unpaid') return issueAndClose(c, 'refused', { fee, refusalReasons: [UNPAID_IN_ADVANCE] });
  }

  await journal.enter('deciding', 'decision.started', {
    evidence: evidence.map((e) => ({ type: e.evidenceType, status: e.status })),
  });
  // Rules over pinned inputs: a local step, recorded once in the history and stored with its explanation.
  let decision = await local.decideCase({
    caseId: input.caseId,
    serviceKey: input.serviceKey,
    ruleSetVersion: input.ruleSetVersion,
    ruleSetSha256: input.ruleSetSha256,
    ...applicationSourceOf(input),
    evidence,
  });
  progress.decided(decision);
  if (decision.outcome === 'escalate') {
    const escalation = decision;
    const waited = await beforeFiction(fiction, () => waitForCaseWorker(c, escalation));
    if ('fiction' in waited) return closeByFiction(c, waited.fiction, evidence);
    decision = waited.decided;
  }
  // Cases from this patch on hear the applicant before a rejection where the service declares it (workflows/hearing.ts).
  if (decision.outcome === 'reject' && patched(HEARING_PATCH)) decision = await hearBeforeRejection(c, decision);
  fiction?.settle();
  await runServiceSteps('after_decision', c, evidence, decision);

  if (c.plan.feeTiming === 'after_decision' && decision.outcome === 'approve') {
    await journal.enter('collecting_fee', 'fee.requested');
    fee = await collectFee(c, paymentNotices, 'after_decision');
  }
  if (c.plan.feeTiming === 'payout' && decision.outcome === 'approve') {
    await journal.enter('paying_out', 'payout.requested');
    await payOut(c, decision.payoutCents ?? c.plan.feeCents);
  }
  if (fee?.status === 'paid' && decision.outcome === 'reject' && c.plan.refundOnRejection)
    fee = await refundFee(c, fee);
  return issueAndClose(c, decision.outcome === 'approve' ? 'approved' : 'rejected', { decision, fee, evidence });
}

/** Reminded before the due date, escalated to the supervisors after it; the case waits for the task's completion. */
async function waitForCaseWorker(c: CaseContext, escalation: Decision): Promise<Decision> {
  const { input, progress, journal } = c;
  const escalating = escalation.firedRules.filter((r) => r.outcome === 'escalate');
  const task = new CaseWorkerTask({
    ...caseRefShort(input),
    reason: escalating.map((r) => r.reason).join(' '),
    taskId: `${input.caseId}:review`,
    applicantSubject: input.identity.subject,
    fourEyes: c.plan.fourEyes,
    openedAt: new Date(),
    dueInMs: c.deadlines.caseWorkerMs,
    remindBeforeMs: c.deadlines.caseWorkerReminderMs,
    // From the plan the history recorded: a case replays with the group it was planned with, no patch needed.
    ...(c.plan.candidateGroup && { candidateGroup: c.plan.candidateGroup }),
  });
  // The handlers come first: a case worker who sees the status (query, case row, search attribute) can act at once.
  const handlers = has(c.shape, TASK_HANDLERS_FIRST_PATCH) ? listenForTaskActions(c, task) : undefined;
  progress.openTask(task.view);
  await journal.enter(
    'awaiting_case_worker',
    'case.escalated',
    { taskId: task.view.taskId, rules: escalating.map((r) => r.ruleId) },
    { decision: escalation },
  );
  await startCaseSummary(input, task.view.taskId, escalation, c.shape);
  const d = await awaitCaseWorker(c, task, handlers);
  progress.taskClosed();
  const decided: Decision = {
    ...escalation,
    outcome: d.outcome,
    decidedBy: { caseWorker: d.caseWorker, ...(d.confirmedBy && { confirmedBy: d.confirmedBy }) },
    firedRules: [
      ...escalation.firedRules,
      {
        ruleId: 'case-worker',
        outcome: d.outcome,
        reason: reasonForApplicant(d),
        legalBasis: 'Entscheidung der Sachbearbeitung',
      },
    ],
  };
  progress.decided(decided);
  await journal.enter('deciding', 'case.resumed', {
    taskId: d.taskId,
    caseWorker: d.caseWorker,
    confirmedBy: d.confirmedBy,
    outcome: d.outcome,
  });
  // Out of the operators' waiting list at once, not only when the case closes.
  await journal.flush();
  return decided;
}

async function issueAndClose(
  c: CaseBasics,
  outcome: CaseOutcome,
  o: { decision?: Decision; fee?: FeeResult; evidence?: EvidenceResult[]; refusalReasons?: string[] },
): Promise<CaseResult> {
  const { input, progress, journal } = c;
  await journal.enter('issuing_bescheid', 'bescheid.rendering', { outcome }, { decision: o.decision });
  const issuedAt = new Date().toISOString();
  const content = {
    ...caseRefShort(input),
    addressee: input.identity.subject,
    applicantName: input.identity.name,
    appliedAt: input.submittedAt,
    outcome,
    decision: o.decision,
    refusalReasons: o.refusalReasons,
    fee: o.fee,
    issuedAt,
    ...applicationSourceOf(input),
  };
  let bescheid: SealResult;
  if (c.shape.leanOutbound) {
    // Rendered and sealed in one step: the unsealed document never travels through the history.
    bescheid = await acts.issueBescheid(content);
    await journal.enter('sealing', 'bescheid.sealing', { sha256: bescheid.sourceSha256 });
  } else {
    const document = await acts.renderBescheid(content);
    await journal.enter('sealing', 'bescheid.sealing', { sha256: document.sha256 });
    bescheid = await acts.sealBescheid({ ...caseRefShort(input), document, sealedAt: issuedAt });
  }
  await journal.enter(
    'delivering',
    'bescheid.delivering',
    { keyId: bescheid.keyId, sealId: bescheid.sealId },
    { bescheidSha256: bescheid.document.sha256 },
  );
  const delivery = await deliverOrHandOver(c, bescheid);
  await journal.enter('archiving', 'case.archiving', { deliveryId: delivery.deliveryId, delivery: delivery.status });
  // The archive seals the event log as the database holds it: everything so far must be there.
  await journal.flush();
  const archive = await acts.archiveCase({
    ...caseRefShort(input),
    closedAt: new Date().toISOString(),
    decision: o.decision,
    bescheid: bescheid.document,
    evidence: o.evidence ?? [],
  });
  progress.closed(outcome);
  await journal.enter('closed', 'case.closed', { outcome, archive: archive.packageSha256 }, { outcome });
  if (delivery.status === 'delivered' && patched(BEKANNTGABE_PATCH)) await startBekanntgabe(c, delivery);
  return { caseId: input.caseId, outcome, decision: o.decision, bescheid, delivery, archive };
}

/** Cases from this patch on start their Bescheid's Bekanntgabe workflow as they close (workflows/bekanntgabe.ts). */
export const BEKANNTGABE_PATCH = 'bekanntgabe-after-delivery';

/**
 * The Bekanntgabe runs on as an abandoned child: the case's log is closed (the journal flushed it), so what the child
 * appends to the timeline comes after it, and the case's history ends here as before.
 */
async function startBekanntgabe(c: CaseBasics, delivery: DeliveryResult): Promise<void> {
  const { input } = c;
  try {
    await startChild(bekanntgabeWorkflow, {
      workflowId: bekanntgabeWorkflowId(input.caseId),
      args: [
        {
          caseId: input.caseId,
          serviceKey: input.serviceKey,
          authorityId: input.authorityId,
          deliveryId: delivery.deliveryId,
          channel: delivery.channel,
          deliveredAt: delivery.deliveredAt ?? new Date().toISOString(),
          legalDayMs: c.deadlines.legalDayMs,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    log.warn('Bekanntgabe not started', { caseId: input.caseId, error: String(err) });
  }
}

const rejectIf = (why: string | undefined): void => {
  if (why) throw new Error(why);
};

const caseRefShort = (i: CaseInput) => ({ caseId: i.caseId, serviceKey: i.serviceKey, authorityId: i.authorityId });

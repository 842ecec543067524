import { proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import {
  DEFAULT_DEADLINES,
  type CaseInput,
  type CaseOutcome,
  type CaseResult,
  type CaseStatus,
  type Decision,
  type EvidenceResult,
  type EvidenceUpload,
  type FeeResult,
  reasonForApplicant,
} from '../contracts/case.js';
import { caseStateQuery, uploadEvidenceUpdate } from '../contracts/messages.js';
import { CaseOutcomeKey, CaseStatusKey } from '../contracts/search-attributes.js';
import { awaitCaseWorker } from './await-case-worker-v1.js';
import { CaseProgress } from '../case-progress.js';
import { CaseWorkerTask } from '../case-worker-task.js';
import { deliverOrHandOver } from './delivery-v1.js';
import { EvidenceRequests } from '../evidence-requests.js';
import { askApplicantForMissing, fetchEvidence } from './evidence-stage-v1.js';
import { collectFee, payOut, refundFee, type FeeCase } from './fee-collection-v1.js';
import { listenForPaymentNotices, UNPAID_IN_ADVANCE } from '../fee-collection.js';
import { startCaseSummary } from '../case-summary.js';
import { handToCaseWorker, withIncidents } from '../incidents.js';
import { HEARTBEAT_TIMEOUT } from '../contracts/timeouts.js';

const acts = withIncidents(
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  }),
  { decideCase: handToCaseWorker },
);
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/**
 * Frozen: a case as it ran before the case journal (patch `lean-case-journal`): every stage a search-attribute upsert
 * and a local record, intake assessed by three activities. Cases started then replay and finish on this code; change
 * nothing here that alters the commands, and delete it (with a `deprecatePatch`) once no such case runs.
 */
export async function caseWorkflowV1(input: CaseInput): Promise<CaseResult> {
  const progress = new CaseProgress(input);
  setHandler(caseStateQuery, () => progress.state);
  const requests = new EvidenceRequests(progress.state);
  setHandler(uploadEvidenceUpdate, (u) => (requests.accept(u), progress.state), {
    validator: (u: EvidenceUpload) => void rejectIf(requests.rejectionOf(u)),
  });
  const paymentNotices = listenForPaymentNotices();
  const enter = async (status: CaseStatus, event: string, data?: Record<string, unknown>, extra?: RecordExtra) => {
    const seq = progress.enter(status, new Date());
    upsertSearchAttributes([{ key: CaseStatusKey, value: status }]);
    await local.recordStage({ ...caseRef(input), seq, status, event, data, ...extra });
  };

  await enter('received', 'case.received', {
    ruleSetVersion: input.ruleSetVersion,
    representation: input.identity.representation,
  });
  const plan = await acts.planCase(applicationRef(input));
  const deadlines = { ...DEFAULT_DEADLINES, ...plan.deadlines, ...input.deadlines };
  const feeCase: FeeCase = {
    input,
    deadlines,
    feeCents: plan.feeCents,
    note: (event, data) =>
      local.recordStage({ ...caseRef(input), seq: progress.nextSeq(), status: progress.state.status, event, data }),
    show: (payment) => void (progress.state.payment = payment),
  };

  await enter('validating', 'application.validation_started');
  const validation = await acts.validateApplication(applicationRef(input));
  if (!validation.valid) {
    return issueAndClose('refused', { refusalReasons: validation.errors.map((e) => `${e.pointer}: ${e.message}`) });
  }

  await enter('checking_identity', 'identity.check_started');
  const identity = await acts.checkIdentity({ serviceKey: input.serviceKey, identity: input.identity });
  if (!identity.sufficient) {
    return issueAndClose('refused', {
      refusalReasons: [
        identity.reason ??
          `Das Vertrauensniveau Ihrer Anmeldung (${identity.actual}) reicht nicht aus; erforderlich ist ${identity.required}.`,
      ],
    });
  }

  await enter('fetching_evidence', 'evidence.requested', { evidence: plan.evidence.map((e) => e.evidenceType) });
  const fetched = await fetchEvidence(input, plan, deadlines);
  const note = (event: string, data?: Record<string, unknown>) =>
    local.recordStage({ ...caseRef(input), seq: progress.nextSeq(), status: progress.state.status, event, data });
  const asked = await askApplicantForMissing({ input, plan, deadlines, requests, enter, note }, fetched);
  if ('incomplete' in asked)
    return issueAndClose('incomplete', { refusalReasons: asked.incomplete, evidence: fetched });
  const evidence = asked.evidence;

  let fee: FeeResult | undefined;
  if (plan.feeTiming === 'in_advance') {
    await enter('collecting_fee', 'fee.requested');
    fee = await collectFee(feeCase, paymentNotices, 'in_advance');
    if (fee.status === 'unpaid') return issueAndClose('refused', { fee, refusalReasons: [UNPAID_IN_ADVANCE] });
  }

  await enter('deciding', 'decision.started', {
    evidence: evidence.map((e) => ({ type: e.evidenceType, status: e.status })),
  });
  let decision = await acts.decideCase({
    caseId: input.caseId,
    serviceKey: input.serviceKey,
    ruleSetVersion: input.ruleSetVersion,
    ruleSetSha256: input.ruleSetSha256,
    application: input.application,
    evidence,
  });
  progress.decided(decision);
  if (decision.outcome === 'escalate') decision = await waitForCaseWorker(decision);

  if (plan.feeTiming === 'after_decision' && decision.outcome === 'approve') {
    await enter('collecting_fee', 'fee.requested');
    fee = await collectFee(feeCase, paymentNotices, 'after_decision');
  }
  if (plan.feeTiming === 'payout' && decision.outcome === 'approve') {
    await enter('paying_out', 'payout.requested');
    await payOut(feeCase, decision.payoutCents ?? plan.feeCents);
  }
  if (fee?.status === 'paid' && decision.outcome === 'reject' && plan.refundOnRejection)
    fee = await refundFee(feeCase, fee);
  return issueAndClose(decision.outcome === 'approve' ? 'approved' : 'rejected', { decision, fee, evidence });

  /** Reminded before the due date, escalated to the supervisors after it; the case waits for the task's completion. */
  async function waitForCaseWorker(escalation: Decision): Promise<Decision> {
    const task = new CaseWorkerTask({
      ...caseRefShort(input),
      reason: escalation.firedRules
        .filter((r) => r.outcome === 'escalate')
        .map((r) => r.reason)
        .join(' '),
      taskId: `${input.caseId}:review`,
      applicantSubject: input.identity.subject,
      fourEyes: plan.fourEyes,
      openedAt: new Date(),
      dueInMs: deadlines.caseWorkerMs,
      remindBeforeMs: deadlines.caseWorkerReminderMs,
    });
    progress.openTask(task.view);
    await enter(
      'awaiting_case_worker',
      'case.escalated',
      {
        taskId: task.view.taskId,
        rules: escalation.firedRules.filter((r) => r.outcome === 'escalate').map((r) => r.ruleId),
      },
      { decision: escalation },
    );
    // A v1 case never has the newest patch: the summary's own patch decides, as it always did.
    await startCaseSummary(input, task.view.taskId, escalation, { leanOutbound: false });
    const d = await awaitCaseWorker({
      task,
      deadlines,
      applicantSubject: input.identity.subject,
      record: (e) =>
        local.recordStage({
          ...caseRef(input),
          seq: progress.nextSeq(),
          status: 'awaiting_case_worker',
          event: e.type,
          data: { taskId: task.view.taskId, by: e.by, ...e.data },
        }),
    });
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
    await enter('deciding', 'case.resumed', {
      taskId: d.taskId,
      caseWorker: d.caseWorker,
      confirmedBy: d.confirmedBy,
      outcome: d.outcome,
    });
    return decided;
  }

  async function issueAndClose(
    outcome: CaseOutcome,
    o: { decision?: Decision; fee?: FeeResult; evidence?: EvidenceResult[]; refusalReasons?: string[] },
  ): Promise<CaseResult> {
    await enter('issuing_bescheid', 'bescheid.rendering', { outcome }, { decision: o.decision });
    const issuedAt = new Date().toISOString();
    const document = await acts.renderBescheid({
      ...caseRefShort(input),
      addressee: input.identity.subject,
      outcome,
      decision: o.decision,
      refusalReasons: o.refusalReasons,
      fee: o.fee,
      issuedAt,
      application: input.application,
    });
    await enter('sealing', 'bescheid.sealing', { sha256: document.sha256 });
    const bescheid = await acts.sealBescheid({ ...caseRefShort(input), document, sealedAt: issuedAt });
    await enter(
      'delivering',
      'bescheid.delivering',
      { keyId: bescheid.keyId, sealId: bescheid.sealId },
      { bescheidSha256: bescheid.document.sha256 },
    );
    const delivery = await deliverOrHandOver(
      {
        caseId: input.caseId,
        authorityId: input.authorityId,
        recipient: input.identity.subject,
        bescheid,
        giveUpAfterMs: deadlines.deliveryGiveUpMs,
      },
      (event, data) =>
        local.recordStage({ ...caseRef(input), seq: progress.nextSeq(), status: 'delivering', event, data }),
    );
    await enter('archiving', 'case.archiving', { deliveryId: delivery.deliveryId, delivery: delivery.status });
    const archive = await acts.archiveCase({
      ...caseRefShort(input),
      closedAt: new Date().toISOString(),
      decision: o.decision,
      bescheid: bescheid.document,
      evidence: o.evidence ?? [],
    });
    progress.closed(outcome);
    upsertSearchAttributes([{ key: CaseOutcomeKey, value: outcome }]);
    await enter('closed', 'case.closed', { outcome, archive: archive.packageSha256 }, { outcome });
    return { caseId: input.caseId, outcome, decision: o.decision, bescheid, delivery, archive };
  }
}

const rejectIf = (why: string | undefined): void => {
  if (why) throw new Error(why);
};

interface RecordExtra {
  outcome?: CaseOutcome;
  decision?: Decision;
  bescheidSha256?: string;
}

const caseRef = (i: CaseInput) => ({
  caseId: i.caseId,
  applicantSubject: i.identity.subject,
  serviceKey: i.serviceKey,
  authorityId: i.authorityId,
  ruleSetVersion: i.ruleSetVersion,
  submittedAt: i.submittedAt,
});
const applicationRef = (i: CaseInput) => ({
  serviceKey: i.serviceKey,
  authorityId: i.authorityId,
  schemaVersion: i.schemaVersion,
  ruleSetVersion: i.ruleSetVersion,
  application: i.application,
  submittedAt: i.submittedAt,
});
const caseRefShort = (i: CaseInput) => ({ caseId: i.caseId, serviceKey: i.serviceKey, authorityId: i.authorityId });

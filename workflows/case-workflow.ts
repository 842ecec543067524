import { condition, log, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  DEFAULT_DEADLINES,
  type CaseInput,
  type CaseOutcome,
  type CaseResult,
  type CaseStatus,
  type Decision,
  type EvidenceResult,
  type FeeResult,
} from '../contracts/case.js';
import { caseStateQuery, decideCaseUpdate } from '../contracts/messages.js';
import { CaseOutcomeKey, CaseStatusKey } from '../contracts/search-attributes.js';
import type { CasePlan } from '../services/types.js';
import { CaseProgress } from './case-progress.js';
import { startCaseSummary } from './case-summary.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A register that stays down is case data, not a failed case: give up after a few tries.
const registers = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
});
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/** One application (Antrag), from submission to archive. */
export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  const progress = new CaseProgress(input);
  const deadlines = { ...DEFAULT_DEADLINES, ...input.deadlines };
  setHandler(caseStateQuery, () => progress.state);
  setHandler(decideCaseUpdate, (d) => (progress.acceptDecision(d), progress.state), {
    validator: (d) => {
      const why = progress.rejectionOf(d);
      if (why) throw new Error(why);
    },
  });
  const enter = async (status: CaseStatus, event: string, data?: Record<string, unknown>, extra?: RecordExtra) => {
    const seq = progress.enter(status, new Date());
    upsertSearchAttributes([{ key: CaseStatusKey, value: status }]);
    await local.recordStage({ ...caseRef(input), seq, status, event, data, ...extra });
  };

  await enter('received', 'case.received', { ruleSetVersion: input.ruleSetVersion });
  const plan = await acts.planCase({ serviceKey: input.serviceKey });

  await enter('validating', 'application.validation_started');
  const validation = await acts.validateApplication({ serviceKey: input.serviceKey, schemaVersion: input.schemaVersion, application: input.application });
  if (!validation.valid) {
    return issueAndClose('refused', { refusalReasons: validation.errors.map((e) => `${e.pointer}: ${e.message}`) });
  }

  await enter('checking_identity', 'identity.check_started');
  const identity = await acts.checkIdentity({ serviceKey: input.serviceKey, identity: input.identity });
  if (!identity.sufficient) {
    return issueAndClose('refused', {
      refusalReasons: [`Das Vertrauensniveau Ihrer Anmeldung (${identity.actual}) reicht nicht aus; erforderlich ist ${identity.required}.`],
    });
  }

  await enter('fetching_evidence', 'evidence.requested', { evidence: plan.evidence.map((e) => e.evidenceType) });
  const evidence = await fetchAllEvidence(plan);

  let fee: FeeResult | undefined;
  if (plan.feeTiming === 'in_advance') {
    await enter('collecting_fee', 'fee.requested');
    fee = await acts.collectFee(caseRefShort(input));
  }

  await enter('deciding', 'decision.started', { evidence: evidence.map((e) => ({ type: e.evidenceType, status: e.status })) });
  let decision = await acts.decideCase({ serviceKey: input.serviceKey, ruleSetVersion: input.ruleSetVersion, application: input.application, evidence });
  progress.decided(decision);
  if (decision.outcome === 'escalate') decision = await waitForCaseWorker(decision);

  if (plan.feeTiming === 'after_decision' && decision.outcome === 'approve') {
    await enter('collecting_fee', 'fee.requested');
    fee = await acts.collectFee(caseRefShort(input));
  }
  return issueAndClose(decision.outcome === 'approve' ? 'approved' : 'rejected', { decision, fee, evidence });

  async function fetchAllEvidence(p: CasePlan): Promise<EvidenceResult[]> {
    return Promise.all(
      p.evidence.map((e) =>
        registers
          .fetchEvidence({ caseId: input.caseId, evidenceType: e.evidenceType, register: e.register, subject: input.identity.subject, application: input.application })
          .catch((err: unknown): EvidenceResult => {
            log.warn('register unavailable', { evidenceType: e.evidenceType, error: String(err) });
            return { evidenceType: e.evidenceType, register: e.register, status: 'unavailable', facts: {} };
          }),
      ),
    );
  }

  /** The event or the deadline: past the deadline the supervisors are told, and the case keeps waiting. */
  async function waitForCaseWorker(escalation: Decision): Promise<Decision> {
    const taskId = `${input.caseId}:review`;
    const dueAt = new Date(Date.now() + deadlines.caseWorkerMs).toISOString();
    const reason = escalation.firedRules.filter((r) => r.outcome === 'escalate').map((r) => r.reason).join(' ');
    await acts.openCaseWorkerTask({ taskId, caseId: input.caseId, authorityId: input.authorityId, reason, dueAt });
    progress.openTask(taskId);
    await enter('awaiting_case_worker', 'task.opened', { taskId, dueAt }, { decision: escalation });
    await startCaseSummary(input, taskId, escalation);
    while (!(await condition(() => progress.caseWorkerDecision !== undefined, deadlines.caseWorkerMs))) {
      await local.recordStage({ ...caseRef(input), seq: progress.nextSeq(), status: 'awaiting_case_worker', event: 'task.overdue', data: { taskId } });
    }
    const d = progress.caseWorkerDecision!;
    await acts.closeCaseWorkerTask(d);
    progress.taskClosed();
    const decided: Decision = {
      ...escalation,
      outcome: d.outcome,
      decidedBy: { caseWorker: d.caseWorker },
      firedRules: [...escalation.firedRules, { ruleId: 'case-worker', outcome: d.outcome, reason: d.justification, legalBasis: 'Entscheidung der Sachbearbeitung' }],
    };
    progress.decided(decided);
    await enter('deciding', 'task.completed', { taskId, caseWorker: d.caseWorker, outcome: d.outcome, justification: d.justification });
    return decided;
  }

  async function issueAndClose(
    outcome: CaseOutcome,
    o: { decision?: Decision; fee?: FeeResult; evidence?: EvidenceResult[]; refusalReasons?: string[] },
  ): Promise<CaseResult> {
    await enter('issuing_bescheid', 'bescheid.rendering', { outcome }, { decision: o.decision });
    const document = await acts.renderBescheid({
      ...caseRefShort(input),
      addressee: input.identity.subject,
      outcome,
      decision: o.decision,
      refusalReasons: o.refusalReasons,
      fee: o.fee,
      issuedAt: new Date().toISOString(),
    });
    await enter('sealing', 'bescheid.sealing', { sha256: document.sha256 });
    const bescheid = await acts.sealBescheid({ authorityId: input.authorityId, document });
    await enter('delivering', 'bescheid.delivering', { keyId: bescheid.keyId }, { bescheidSha256: document.sha256 });
    const delivery = await acts.deliverToApplicant({ caseId: input.caseId, recipient: input.identity.subject, bescheid });
    await enter('archiving', 'case.archiving', { deliveryId: delivery.deliveryId });
    const archive = await acts.archiveCase({
      ...caseRefShort(input),
      closedAt: new Date().toISOString(),
      decision: o.decision,
      bescheid: document,
      evidence: o.evidence ?? [],
    });
    progress.closed(outcome);
    upsertSearchAttributes([{ key: CaseOutcomeKey, value: outcome }]);
    await enter('closed', 'case.closed', { outcome, archive: archive.packageSha256 }, { outcome });
    return { caseId: input.caseId, outcome, decision: o.decision, bescheid, delivery, archive };
  }
}

interface RecordExtra {
  outcome?: CaseOutcome;
  decision?: Decision;
  bescheidSha256?: string;
}

const caseRef = (i: CaseInput) => ({
  caseId: i.caseId,
  serviceKey: i.serviceKey,
  authorityId: i.authorityId,
  ruleSetVersion: i.ruleSetVersion,
  submittedAt: i.submittedAt,
});
const caseRefShort = (i: CaseInput) => ({ caseId: i.caseId, serviceKey: i.serviceKey, authorityId: i.authorityId });

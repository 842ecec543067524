import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  type CaseState,
  type Decision,
  type FiredRule,
  type HearingStatement,
  reasonForApplicant,
} from './contracts/case.js';
import { submitHearingStatementUpdate } from './contracts/messages.js';
import { acts, local } from './activity-proxies.js';
import { awaitCaseWorker, listenForTaskActions } from './await-case-worker.js';
import type { CaseContext } from './case-journal.js';
import { CaseWorkerTask } from './case-worker-task.js';

/** Patch id: cases from here on hear the applicant before a rejection where the service declares it (§ 28 VwVfG). */
export const HEARING_PATCH = 'hearing-before-rejection';

/** Why a statement is refused, or undefined: pure, so the validator and tests share it. */
export function statementRefusalOf(state: CaseState, s: HearingStatement): string | undefined {
  if (s.subject !== state.applicantSubject) return 'Nur die antragstellende Person kann zur Anhörung Stellung nehmen.';
  if (state.hearing?.status !== 'awaiting_statement') return 'Zu diesem Antrag läuft keine Anhörung.';
  if (state.hearing.statementReceivedAt) return 'Ihre Stellungnahme liegt bereits vor.';
  if (!s.text.trim()) return 'Die Stellungnahme braucht einen Text.';
  return undefined;
}

const de = (d: string): string => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

/**
 * A rejection on a service that declares a hearing (`lifecycle.hearing`): the letter with the intended decision, the
 * applicant's statement or the deadline, then a case worker decides, seeing the statement. A rule's rejection the
 * service excepts (§ 28 Abs. 2 VwVfG) skips it and says why. Returns the decision the case goes on with.
 */
export async function hearBeforeRejection(c: CaseContext, rejection: Decision): Promise<Decision> {
  const { input, progress, journal } = c;
  const rejectingRules = rejection.firedRules.filter((r) => r.outcome === 'reject' && r.ruleId !== 'case-worker');
  const plan = await local.planHearing({
    serviceKey: input.serviceKey,
    byRules: rejection.decidedBy === 'rules',
    rejectingRules: rejectingRules.map((r) => r.ruleId),
  });
  if (plan.kind === 'none') return rejection;
  if (plan.kind === 'skipped') {
    progress.state.hearing = { status: 'skipped', why: plan.why };
    await journal.note('hearing.skipped', { rules: plan.ruleIds, why: plan.why });
    return withReason(rejection, {
      reason: `Von einer Anhörung wurde abgesehen: ${plan.why}`,
      legalBasis: '§ 28 Abs. 2 VwVfG',
    });
  }

  const reasons = rejection.firedRules
    .filter((r) => r.outcome === 'reject')
    .map((r) => `${r.reason} (${r.legalBasis})`);
  const letter = await acts.sendHearingLetter({
    caseId: input.caseId,
    serviceKey: input.serviceKey,
    authorityId: input.authorityId,
    recipient: input.identity.subject,
    reasons,
  });
  const hearing = (progress.state.hearing = {
    status: 'awaiting_statement' as const,
    letterSentAt: letter.sentAt,
    statementDueOn: letter.statementDueOn,
  });
  let statement = false;
  setHandler(
    submitHearingStatementUpdate,
    async (s) => {
      const receivedAt = new Date().toISOString();
      progress.state.hearing = { ...hearing, statementReceivedAt: receivedAt };
      await local.fileHearingStatement({ ...s, caseId: input.caseId, receivedAt });
      await journal.note('hearing.statement_received', { attachments: s.attachments.length });
      statement = true;
      return progress.state;
    },
    {
      validator: (s: HearingStatement) => {
        const why = statementRefusalOf(progress.state, s);
        if (why) throw new Error(why);
      },
    },
  );
  await journal.enter('hearing', 'hearing.letter_sent', {
    deliveryId: letter.deliveryId,
    statementDueOn: letter.statementDueOn,
  });
  // The statement, or the end of its last day: legal days as the case's configuration times them.
  await condition(() => statement, letter.legalDays * c.deadlines.legalDayMs);
  await condition(allHandlersFinished);
  const receivedAt = progress.state.hearing?.statementReceivedAt;
  progress.state.hearing = { ...hearing, status: 'closed', ...(receivedAt && { statementReceivedAt: receivedAt }) };

  const task = new CaseWorkerTask({
    caseId: input.caseId,
    serviceKey: input.serviceKey,
    authorityId: input.authorityId,
    reason: `Anhörung abgeschlossen: ${
      statement
        ? 'Die Stellungnahme der antragstellenden Person liegt in der Akte.'
        : `Bis zum ${de(letter.statementDueOn)} ist keine Stellungnahme eingegangen.`
    } Beabsichtigt war die Ablehnung: ${reasons.join(' ')}`,
    taskId: `${input.caseId}:hearing`,
    applicantSubject: input.identity.subject,
    fourEyes: c.plan.fourEyes,
    openedAt: new Date(),
    dueInMs: c.deadlines.caseWorkerMs,
    remindBeforeMs: c.deadlines.caseWorkerReminderMs,
    ...(c.plan.candidateGroup && { candidateGroup: c.plan.candidateGroup }),
  });
  const handlers = listenForTaskActions(c, task);
  progress.openTask(task.view);
  await journal.enter('awaiting_case_worker', 'hearing.closed', { taskId: task.view.taskId, statement });
  const d = await awaitCaseWorker(c, task, handlers);
  progress.taskClosed();
  const heard = statement
    ? `Sie wurden vor dieser Entscheidung angehört (§ 28 Abs. 1 VwVfG); Ihre Stellungnahme wurde berücksichtigt.`
    : `Sie wurden vor dieser Entscheidung angehört (§ 28 Abs. 1 VwVfG) und haben sich bis zum ${de(letter.statementDueOn)} nicht geäußert.`;
  const decided: Decision = {
    ...rejection,
    outcome: d.outcome,
    decidedBy: { caseWorker: d.caseWorker, ...(d.confirmedBy && { confirmedBy: d.confirmedBy }) },
    firedRules: [
      ...rejection.firedRules,
      {
        ruleId: 'case-worker',
        outcome: d.outcome,
        reason: reasonForApplicant(d),
        legalBasis: 'Entscheidung der Sachbearbeitung',
      },
      ...(d.outcome === 'reject'
        ? [{ ruleId: 'hearing', outcome: 'reject' as const, reason: heard, legalBasis: '§ 28 Abs. 1 VwVfG' }]
        : []),
    ],
  };
  progress.decided(decided);
  await journal.enter('deciding', 'case.resumed', {
    taskId: d.taskId,
    caseWorker: d.caseWorker,
    confirmedBy: d.confirmedBy,
    outcome: d.outcome,
  });
  await journal.flush();
  return decided;
}

const withReason = (d: Decision, r: Pick<FiredRule, 'reason' | 'legalBasis'>): Decision => ({
  ...d,
  firedRules: [...d.firedRules, { ruleId: 'hearing', outcome: 'reject', ...r }],
});

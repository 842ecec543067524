import { CancellationScope, isCancellation, setHandler } from '@temporalio/workflow';
import {
  type CaseEnd,
  type CaseState,
  type CaseStatus,
  WITHDRAWAL_TOO_LATE,
  type WithdrawalRequest,
  type WithdrawnCaseResult,
} from './contracts/case.js';
import { withdrawApplicationUpdate } from './contracts/messages.js';
import { acts, local } from './activity-proxies.js';
import type { CaseBasics } from './case-journal.js';
import type { CaseProgress } from './case-progress.js';

/** Patch id: cases from here on accept the applicant's withdrawal while they run. */
export const WITHDRAWAL_PATCH = 'case-withdrawal';

/** From these stages on money goes out or the decision is being issued and announced: a withdrawal comes too late. */
const TOO_LATE: ReadonlySet<CaseStatus> = new Set([
  'paying_out',
  'issuing_bescheid',
  'sealing',
  'delivering',
  'archiving',
  'closed',
]);

/** Why a withdrawal is refused, or undefined: pure, so the validator and tests share it. */
export function withdrawalRefusalOf(state: CaseState, r: WithdrawalRequest, declared: boolean): string | undefined {
  if (r.subject !== state.applicantSubject) return 'Nur die antragstellende Person kann den Antrag zurücknehmen.';
  if (declared) return 'Der Antrag ist bereits zurückgenommen.';
  if (TOO_LATE.has(state.status)) return WITHDRAWAL_TOO_LATE;
  return undefined;
}

export interface Withdrawal {
  request: WithdrawalRequest;
  declaredAt: string;
}

/**
 * Runs the case in a scope the applicant's withdrawal cancels: every wait (evidence, fee, case worker) ends at once, the
 * journal's writes finish (they run uncancellable), and `onWithdrawn` closes the case as withdrawn.
 */
export async function withdrawable(
  progress: CaseProgress,
  run: () => Promise<CaseEnd>,
  onWithdrawn: (w: Withdrawal) => Promise<WithdrawnCaseResult>,
): Promise<CaseEnd> {
  let withdrawal: Withdrawal | undefined;
  const scope = new CancellationScope();
  setHandler(
    withdrawApplicationUpdate,
    (r) => {
      withdrawal = { request: r, declaredAt: new Date().toISOString() };
      scope.cancel();
      return progress.state;
    },
    {
      validator: (r: WithdrawalRequest) => {
        const why = withdrawalRefusalOf(progress.state, r, withdrawal !== undefined);
        if (why) throw new Error(why);
      },
    },
  );
  try {
    return await scope.run(run);
  } catch (err) {
    if (withdrawal && isCancellation(err)) return onWithdrawn(withdrawal);
    throw err;
  }
}

/**
 * The withdrawn case's end: the open task cancelled, the fee paid back where the service declares it (`refundOn`),
 * the declaration in the Akte and the confirmation in the applicant's postbox; then the case closes as `withdrawn`.
 */
export async function closeWithdrawn(
  c: CaseBasics & { refundOnWithdrawal: boolean },
  w: Withdrawal,
): Promise<WithdrawnCaseResult> {
  const { input, progress, journal } = c;
  const ref = { caseId: input.caseId, serviceKey: input.serviceKey, authorityId: input.authorityId };
  await journal.note('case.withdrawn', { declaredAt: w.declaredAt, status: progress.state.status });
  const task = progress.state.task;
  if (progress.state.openTaskId && task && task.state !== 'completed' && task.state !== 'cancelled') {
    task.state = 'cancelled';
    task.version++;
    progress.taskClosed();
    await local.syncTask({ view: { ...task } });
    await journal.note('task.cancelled', { taskId: task.taskId, by: 'system', reason: 'withdrawn' });
  }
  // A fee still open: closed at the provider so nobody pays into a withdrawn case; paid in the last moment, it counts.
  const payment = progress.state.payment;
  if (payment?.status === 'open' && progress.openPayment) {
    const transactionId = progress.openPayment;
    const { status } = await acts.cancelFeePayment({ ...ref, transactionId });
    payment.status = status === 'paid' ? 'paid' : 'unpaid';
    await journal.note(status === 'paid' ? 'fee.paid' : 'fee.cancelled', { transactionId, reason: 'withdrawn' });
  }
  const paid = payment?.status === 'paid' ? payment : undefined;
  let fee: WithdrawnCaseResult['fee'];
  if (paid && c.refundOnWithdrawal) {
    fee = await acts.refundFee({
      ...ref,
      fee: { status: 'paid', amountCents: paid.amountCents, currency: paid.currency },
    });
    await journal.note('fee.refunded', { amountCents: paid.amountCents, reference: fee.refundReference });
  }
  const confirmation = await acts.confirmWithdrawal({
    ...ref,
    recipient: input.identity.subject,
    declaredAt: w.declaredAt,
    ...(w.request.reason && { reason: w.request.reason }),
    ...(fee && { refundedCents: fee.amountCents }),
    ...(paid && !fee && { feeKept: true }),
  });
  progress.state.withdrawal = { declaredAt: w.declaredAt, feeRefunded: fee !== undefined };
  progress.closed('withdrawn');
  await journal.enter(
    'closed',
    'case.closed',
    { outcome: 'withdrawn', deliveryId: confirmation.deliveryId },
    { outcome: 'withdrawn' },
  );
  return {
    caseId: input.caseId,
    outcome: 'withdrawn',
    declaredAt: w.declaredAt,
    confirmationDeliveryId: confirmation.deliveryId,
    ...(fee && { fee }),
  };
}

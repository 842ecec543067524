// Frozen: the fee stage as cases started before the case journal run it (see case-workflow-v1.ts).
import { HEARTBEAT_TIMEOUT } from '../contracts/timeouts.js';
import { condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { CaseDeadlines, CaseInput, CaseState, FeeResult, PayoutResult } from '../contracts/case.js';
import type { PaymentNotices } from '../fee-collection.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** What the fee stages need from the case: its input, its deadlines, and a way to note events in its record. */
export interface FeeCase {
  input: CaseInput;
  deadlines: CaseDeadlines;
  /** The fee the rules computed for this case, in cents. */
  feeCents: number;
  note(event: string, data: Record<string, unknown>): Promise<unknown>;
  /** Shows the fee in the case's state, so the portal can link the applicant to the payment page. */
  show(payment: NonNullable<CaseState['payment']>): void;
}

/**
 * The webhook or the deadline: opens the payment, then asks the provider whenever a webhook arrives
 * and at least every `paymentPollMs`, reminds once at `feeReminderMs`, and gives up at `feePaymentMs`.
 * Past the deadline an advance fee's transaction is cancelled; a fee after the decision stays open for dunning.
 */
export async function collectFee(
  c: FeeCase,
  notices: PaymentNotices,
  when: 'in_advance' | 'after_decision',
): Promise<FeeResult> {
  const ref = { caseId: c.input.caseId, serviceKey: c.input.serviceKey, authorityId: c.input.authorityId };
  const request = await acts.requestFeePayment({ ...ref, amountCents: c.feeCents });
  if (request.status === 'not_required') return { status: 'not_required', amountCents: 0, currency: 'EUR' };
  const { transactionId, paymentPageUrl, amountCents, currency } = request;
  const dueAt = Date.now() + c.deadlines.feePaymentMs;
  const remindAt = Date.now() + c.deadlines.feeReminderMs;
  const shown = { amountCents, currency, paymentPageUrl };
  c.show({ ...shown, status: 'open' });
  await c.note('fee.payment_opened', { transactionId, amountCents, currency, dueAt: new Date(dueAt).toISOString() });
  let reminded = false;
  for (;;) {
    const seen = notices.count;
    const { status, reference } = await acts.checkFeePayment({ ...ref, transactionId });
    if (status === 'paid') {
      c.show({ ...shown, status: 'paid' });
      await c.note('fee.paid', { transactionId, reference });
      return { status: 'paid', amountCents, currency, reference };
    }
    if (Date.now() >= dueAt) {
      // Paid in the last moment: the provider refuses to cancel, and the next check books it.
      if (when === 'in_advance' && (await acts.cancelFeePayment({ ...ref, transactionId })).status === 'paid') continue;
      c.show({ ...shown, status: 'unpaid' });
      await c.note(when === 'in_advance' ? 'fee.cancelled' : 'fee.overdue', { transactionId, lastStatus: status });
      return { status: 'unpaid', amountCents, currency };
    }
    if (!reminded && Date.now() >= remindAt) {
      await acts.remindFeePayment({
        ...ref,
        recipient: c.input.identity.subject,
        paymentPageUrl,
        amountCents,
        dueAt: new Date(dueAt).toISOString(),
      });
      reminded = true;
      await c.note('fee.reminder_sent', { transactionId });
    }
    const wakeAt = reminded ? dueAt : Math.min(remindAt, dueAt);
    await condition(() => notices.count > seen, Math.max(1, Math.min(c.deadlines.paymentPollMs, wakeAt - Date.now())));
  }
}

/** Pays a fee back where the service says so; the provider and the books see one refund per case. */
export async function refundFee(c: FeeCase, fee: FeeResult): Promise<FeeResult> {
  const refunded = await acts.refundFee({
    caseId: c.input.caseId,
    serviceKey: c.input.serviceKey,
    authorityId: c.input.authorityId,
    fee,
  });
  await c.note('fee.refunded', { amountCents: fee.amountCents, reference: refunded.refundReference });
  return refunded;
}

/** Pays the amount the rules approved to the applicant, once. */
export async function payOut(c: FeeCase, amountCents: number): Promise<PayoutResult> {
  const payout = await acts.payOut({
    caseId: c.input.caseId,
    serviceKey: c.input.serviceKey,
    authorityId: c.input.authorityId,
    application: c.input.application,
    amountCents,
  });
  await c.note('payout.executed', {
    payoutId: payout.payoutId,
    amountCents: payout.amountCents,
    reference: payout.reference,
  });
  return payout;
}

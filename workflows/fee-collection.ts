import { condition, patched, setHandler } from '@temporalio/workflow';
import { applicationSourceOf, type CaseState, type FeeResult, type PayoutResult } from './contracts/case.js';
import { paymentNotifiedSignal } from './contracts/messages.js';
import { acts } from './activity-proxies.js';
import type { CaseContext } from './case-journal.js';
import { pollDelayMs } from './payment-polling.js';

export interface PaymentNotices {
  readonly count: number;
}

/** Counts verified payment webhooks; each one wakes the fee wait to ask the provider at once. */
export function listenForPaymentNotices(): PaymentNotices {
  const notices = { count: 0 };
  setHandler(paymentNotifiedSignal, () => void notices.count++);
  return notices;
}

export const MISSED_NOTICE_PATCH = 'payment-notice-while-busy';

export const UNPAID_IN_ADVANCE =
  'Die Gebühr wurde nicht innerhalb der Frist bezahlt; der Antrag wird daher nicht bearbeitet.';

/** Shows the fee in the case's state, so the portal can link the applicant to the payment page. */
const show = (c: CaseContext, payment: NonNullable<CaseState['payment']>) => void (c.progress.state.payment = payment);
const refOf = (c: CaseContext) => ({
  caseId: c.input.caseId,
  serviceKey: c.input.serviceKey,
  authorityId: c.input.authorityId,
});

/**
 * Webhook first: opens the payment (asking the provider's status in the same activity), then waits for a verified
 * webhook, asking the provider itself only on a backing-off schedule. Reminds once at `feeReminderMs`, gives up at
 * `feePaymentMs`. Past the deadline an advance fee's transaction is cancelled; a fee after the decision stays open.
 */
export async function collectFee(
  c: CaseContext,
  notices: PaymentNotices,
  when: 'in_advance' | 'after_decision',
): Promise<FeeResult> {
  const ref = refOf(c);
  // Notices already taken: one that arrives while the payment is being opened or its status asked is not missed.
  let counted = notices.count;
  const opened = await acts.openFeePayment({ ...ref, amountCents: c.plan.feeCents });
  if (opened.status === 'not_required') return { status: 'not_required', amountCents: 0, currency: 'EUR' };
  const { transactionId, paymentPageUrl, amountCents, currency } = opened;
  c.progress.openPayment = transactionId;
  const dueAt = Date.now() + c.deadlines.feePaymentMs;
  const remindAt = Date.now() + c.deadlines.feeReminderMs;
  const shown = { amountCents, currency, paymentPageUrl };
  await c.journal.note('fee.payment_opened', {
    transactionId,
    amountCents,
    currency,
    dueAt: new Date(dueAt).toISOString(),
  });
  let check: { status: string; reference?: string } = opened.provider;
  let reminded = false;
  let polls = 0;
  let lastLook = false;
  let nextPollAt = Date.now() + pollDelayMs(polls, c.deadlines.paymentPollMs, c.deadlines.feePaymentMs);
  for (;;) {
    if (check.status === 'paid') {
      show(c, { ...shown, status: 'paid' });
      await c.journal.note('fee.paid', { transactionId, reference: check.reference });
      return { status: 'paid', amountCents, currency, reference: check.reference };
    }
    if (Date.now() >= dueAt && !lastLook) {
      // One last look before giving up: a payment since the last poll must not be missed.
      lastLook = true;
      check = await acts.checkFeePayment({ ...ref, transactionId });
      continue;
    }
    if (Date.now() >= dueAt) {
      // Paid in the last moment: the provider refuses to cancel, and the next check books it.
      if (when === 'in_advance' && (await acts.cancelFeePayment({ ...ref, transactionId })).status === 'paid') {
        check = await acts.checkFeePayment({ ...ref, transactionId });
        continue;
      }
      show(c, { ...shown, status: 'unpaid' });
      await c.journal.note(when === 'in_advance' ? 'fee.cancelled' : 'fee.overdue', {
        transactionId,
        lastStatus: check.status,
      });
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
      await c.journal.note('fee.reminder_sent', { transactionId });
    }
    show(c, { ...shown, status: 'open' });
    await c.journal.flush();
    const seen = notices.count;
    const wakeAt = Math.min(nextPollAt, reminded ? dueAt : Math.min(remindAt, dueAt));
    // A webhook that came while the engine was busy (cases from this patch on; before it, such a case waited for the
    // next poll, up to a quarter of an hour after the payment).
    const missed = seen > counted && patched(MISSED_NOTICE_PATCH);
    const notified = missed || (await condition(() => notices.count > seen, Math.max(1, wakeAt - Date.now())));
    counted = notices.count;
    if (notified || Date.now() >= nextPollAt) {
      if (!notified)
        nextPollAt = Date.now() + pollDelayMs(++polls, c.deadlines.paymentPollMs, c.deadlines.feePaymentMs);
      check = await acts.checkFeePayment({ ...ref, transactionId });
    }
  }
}

/** Pays a fee back where the service says so; the provider and the books see one refund per case. */
export async function refundFee(c: CaseContext, fee: FeeResult): Promise<FeeResult> {
  const refunded = await acts.refundFee({ ...refOf(c), fee });
  await c.journal.note('fee.refunded', { amountCents: fee.amountCents, reference: refunded.refundReference });
  return refunded;
}

/** Pays the amount the rules approved to the applicant, once. */
export async function payOut(c: CaseContext, amountCents: number): Promise<PayoutResult> {
  const payout = await acts.payOut({ ...refOf(c), ...applicationSourceOf(c.input), amountCents });
  await c.journal.note('payout.executed', {
    payoutId: payout.payoutId,
    amountCents: payout.amountCents,
    reference: payout.reference,
  });
  return payout;
}

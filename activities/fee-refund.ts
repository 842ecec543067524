import { ApplicationFailure } from '@temporalio/activity';
import type { FeeResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { recordHkrBooking } from '../db/queries/hkr-bookings.js';
import { findPayment, recordPayment, setPaymentStatus } from '../db/queries/payments.js';
import type { ActivityDeps } from './deps.js';
import { type CaseRef, fromProvider } from './fee-account.js';
import { hkrBooking } from './fee-booking.js';

/**
 * `refundFee`: pays a paid fee back in full, once (its own effect key); the refund's row, the fee's new status and
 * the outgoing booking are written in one transaction.
 */
export function refundFee({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>) {
  return async (i: CaseRef & { fee: FeeResult }): Promise<FeeResult> => {
    const feeKey = effectKey(i.caseId, 'fee');
    const fee = await findPayment(db, { idempotencyKey: feeKey });
    if (!fee || fee.status === 'open')
      throw ApplicationFailure.nonRetryable(`no paid fee to refund for case ${i.caseId}`);
    const idempotencyKey = effectKey(i.caseId, 'refund');
    const r = await fromProvider(
      payments.provider.refund({
        idempotencyKey,
        transactionId: fee.providerTransactionId,
        amountCents: fee.amountCents,
        currency: 'EUR',
      }),
    );
    await db.transaction(async (tx) => {
      await recordPayment(tx, {
        idempotencyKey,
        caseId: i.caseId,
        kind: 'refund',
        amountCents: r.amountCents,
        currency: r.currency,
        account: fee.account,
        providerTransactionId: r.refundId,
        reference: r.reference,
        status: 'refunded',
        settledAt: new Date(),
      });
      await setPaymentStatus(tx, { idempotencyKey: feeKey, status: 'refunded' });
      await recordHkrBooking(
        tx,
        hkrBooking(i, {
          bookingKey: idempotencyKey,
          kind: 'refund',
          direction: 'out',
          amountCents: r.amountCents,
          account: fee.account,
          reference: r.reference,
          providerTransactionId: r.refundId,
        }),
      );
    });
    return { ...i.fee, status: 'refunded', refundReference: r.reference };
  };
}

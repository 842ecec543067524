import type { PaymentStatus } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { recordHkrBooking } from '../db/queries/hkr-bookings.js';
import { setPaymentStatus } from '../db/queries/payments.js';
import type { ActivityDeps } from './deps.js';
import { type CaseRef, feeAccount } from './fee-account.js';
import { hkrBooking } from './fee-booking.js';

/**
 * `checkFeePayment`: asks the provider how the fee stands; a payment seen for the first time is recorded and booked
 * in one transaction, a failed, abandoned or cancelled one is recorded.
 */
export function checkFeePayment({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>) {
  return async (i: CaseRef & { transactionId: string }): Promise<{ status: PaymentStatus; reference?: string }> => {
    const t = await payments.provider.getTransaction(i.transactionId);
    const idempotencyKey = effectKey(i.caseId, 'fee');
    if (t.status === 'paid' && t.reference) {
      const reference = t.reference;
      await db.transaction(async (tx) => {
        await setPaymentStatus(tx, { idempotencyKey, status: 'paid', reference, settledAt: new Date() });
        await recordHkrBooking(
          tx,
          hkrBooking(i, {
            bookingKey: idempotencyKey,
            kind: 'fee',
            direction: 'in',
            amountCents: t.amountCents,
            account: feeAccount(i),
            reference,
            providerTransactionId: t.transactionId,
          }),
        );
      });
    } else if (t.status !== 'open') await setPaymentStatus(db, { idempotencyKey, status: t.status });
    return { status: t.status, reference: t.reference };
  };
}

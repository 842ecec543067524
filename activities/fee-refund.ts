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
export function refundFee(deps: Pick<ActivityDeps, 'db' | 'payments'>) {
  return async (i: CaseRef & { fee: FeeResult }): Promise<FeeResult> => {
    const r = await refundPaidFee(deps, i, { idempotencyKey: effectKey(i.caseId, 'refund') });
    return { ...i.fee, status: 'refunded', refundReference: r.reference };
  };
}

/**
 * Pays `amountCents` of the case's paid fee back (at most the fee; all of it where none is named) under
 * `idempotencyKey`, once: a refund already recorded under that key is answered from its row. The refund's row, the
 * fee's status (refunded where all of it went back) and the outgoing booking are written in one transaction.
 */
export async function refundPaidFee(
  { db, payments }: Pick<ActivityDeps, 'db' | 'payments'>,
  i: CaseRef,
  o: { idempotencyKey: string; amountCents?: number },
): Promise<{ amountCents: number; reference: string }> {
  const { idempotencyKey } = o;
  const known = await findPayment(db, { idempotencyKey });
  if (known) return { amountCents: known.amountCents, reference: known.reference ?? '' };
  const feeKey = effectKey(i.caseId, 'fee');
  const fee = await findPayment(db, { idempotencyKey: feeKey });
  if (!fee || fee.status !== 'paid')
    throw ApplicationFailure.nonRetryable(`no paid fee to refund for case ${i.caseId}`);
  const r = await fromProvider(
    payments.provider.refund({
      idempotencyKey,
      transactionId: fee.providerTransactionId,
      amountCents: Math.min(o.amountCents ?? fee.amountCents, fee.amountCents),
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
    if (r.amountCents === fee.amountCents) await setPaymentStatus(tx, { idempotencyKey: feeKey, status: 'refunded' });
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
  return { amountCents: r.amountCents, reference: r.reference };
}

import type { PaymentStatus } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { setPaymentStatus } from '../db/queries/payments.js';
import type { ActivityDeps } from './deps.js';
import type { CaseRef } from './fee-account.js';

/**
 * `cancelFeePayment`: closes an unpaid transaction at the provider so the applicant can no longer pay into a
 * cancelled case, and records the status the provider answers.
 */
export function cancelFeePayment({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>) {
  return async (i: CaseRef & { transactionId: string }): Promise<{ status: PaymentStatus }> => {
    const t = await payments.provider.cancelTransaction(i.transactionId);
    await setPaymentStatus(db, { idempotencyKey: effectKey(i.caseId, 'fee'), status: t.status });
    return { status: t.status };
  };
}

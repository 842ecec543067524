import type { FeeRequest, PaymentStatus } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { findPayment, recordPayment } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';
import { type CaseRef, feeAccount, fromProvider } from './fee-account.js';
import { checkFeePayment } from './fee-status.js';

export type OpenedFee =
  | Exclude<FeeRequest, { status: 'open' }>
  | (Extract<FeeRequest, { status: 'open' }> & { provider: { status: PaymentStatus; reference?: string } });

/** `requestFeePayment`: opens the payment transaction for the case's fee, or finds the one already opened. */
export function requestFeePayment({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>) {
  return async (i: CaseRef & { amountCents: number }): Promise<FeeRequest> => {
    const service = findService(i.serviceKey);
    if (i.amountCents === 0) return { status: 'not_required' };
    const idempotencyKey = effectKey(i.caseId, 'fee');
    const known = await findPayment(db, { idempotencyKey });
    if (known)
      return {
        status: 'open',
        transactionId: known.providerTransactionId,
        paymentPageUrl: known.paymentPageUrl ?? '',
        amountCents: known.amountCents,
        currency: 'EUR',
      };
    const t = await fromProvider(
      payments.provider.createTransaction({
        idempotencyKey,
        amountCents: i.amountCents,
        currency: 'EUR',
        purpose: `${service.name}, Vorgang ${i.caseId}`,
        returnUrl: new URL(`/cases/${i.caseId}`, payments.portalUrl).toString(),
        notifyUrl: payments.notifyUrl,
      }),
    );
    await recordPayment(db, {
      idempotencyKey,
      caseId: i.caseId,
      kind: 'fee',
      amountCents: t.amountCents,
      currency: t.currency,
      account: feeAccount(i),
      providerTransactionId: t.transactionId,
      paymentPageUrl: t.paymentPageUrl,
      status: 'open',
    });
    return {
      status: 'open',
      transactionId: t.transactionId,
      paymentPageUrl: t.paymentPageUrl,
      amountCents: t.amountCents,
      currency: 'EUR',
    };
  };
}

/**
 * `openFeePayment`: opens the payment and asks its status in one step, so a fee paid at once costs the case no wait
 * and no second step.
 */
export function openFeePayment(deps: Pick<ActivityDeps, 'db' | 'payments'>) {
  const request = requestFeePayment(deps);
  const check = checkFeePayment(deps);
  return async (i: CaseRef & { amountCents: number }): Promise<OpenedFee> => {
    const r = await request(i);
    if (r.status === 'not_required') return r;
    return { ...r, provider: await check({ ...i, transactionId: r.transactionId }) };
  };
}

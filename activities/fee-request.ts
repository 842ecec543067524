import type { FeeRequest, PaymentStatus } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { findFitConnectSubmission } from '../db/queries/fit-connect-submissions.js';
import { recordHkrBooking } from '../db/queries/hkr-bookings.js';
import { findPayment, recordPayment } from '../db/queries/payments.js';
import { createTask } from '../db/queries/tasks.js';
import { candidateGroupFor, findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';
import { type CaseRef, feeAccount, fromProvider } from './fee-account.js';
import { hkrBooking } from './fee-booking.js';
import { checkFeePayment } from './fee-status.js';

export type OpenedFee =
  | Exclude<FeeRequest, { status: 'open' }>
  | (Extract<FeeRequest, { status: 'open' }> & { provider: { status: PaymentStatus; reference?: string } });

/**
 * `requestFeePayment`: opens the payment transaction for the case's fee, or finds the one already opened. `effect`
 * names another fee of the case (the fee due again after an objection's remedy), whose remittance text says so.
 */
export function requestFeePayment(
  { db, payments }: Pick<ActivityDeps, 'db' | 'payments'>,
  effect = 'fee',
  note?: string,
) {
  return async (i: CaseRef & { amountCents: number }): Promise<FeeRequest> => {
    const service = findService(i.serviceKey);
    if (i.amountCents === 0) return { status: 'not_required' };
    const idempotencyKey = effectKey(i.caseId, effect);
    const known =
      (await findPayment(db, { idempotencyKey })) ?? (effect === 'fee' ? await recordPortalPayment(db, i) : undefined);
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
        purpose: `${service.name}, Vorgang ${i.caseId}${note ? `, ${note}` : ''}`,
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
    // Collected by the portal before the submission: paid, nothing to ask a provider.
    if (r.transactionId.startsWith(PORTAL_TRANSACTION)) {
      const row = await findPayment(deps.db, { idempotencyKey: effectKey(i.caseId, 'fee') });
      return { ...r, provider: { status: 'paid', ...(row?.reference && { reference: row.reference }) } };
    }
    return { ...r, provider: await check({ ...i, transactionId: r.transactionId }) };
  };
}

/** Transaction ids of fees a portal collected before the submission (FIT-Connect `paymentInformation`). */
export const PORTAL_TRANSACTION = 'portal:';

const euro = (cents: number) => `${(cents / 100).toFixed(2).replace('.', ',')} €`;

/**
 * A fee the portal already collected (FIT-Connect `paymentInformation` with status BOOKED) is recorded and booked as
 * paid, once per case, and never charged again. An amount other than the rule's fee becomes a case worker's task
 * (refund or claim the difference), not a second charge. Returns the stored payment, or undefined when the portal
 * collected nothing.
 */
async function recordPortalPayment(db: ActivityDeps['db'], i: CaseRef & { amountCents: number }) {
  const facts = await findFitConnectSubmission(db, { caseId: i.caseId });
  const paid = facts?.payment as
    | { transactionId: string; transactionReference: string; status: string; amountCents?: number }
    | undefined;
  if (paid?.status !== 'BOOKED') return undefined;
  const idempotencyKey = effectKey(i.caseId, 'fee');
  const amountCents = paid.amountCents ?? i.amountCents;
  const providerTransactionId = `${PORTAL_TRANSACTION}${paid.transactionId}`;
  const row = await db.transaction(async (tx) => {
    const stored = await recordPayment(tx, {
      idempotencyKey,
      caseId: i.caseId,
      kind: 'fee',
      amountCents,
      currency: 'EUR',
      account: feeAccount(i),
      providerTransactionId,
      reference: paid.transactionReference,
      status: 'paid',
      settledAt: new Date(),
    });
    await recordHkrBooking(
      tx,
      hkrBooking(i, {
        bookingKey: idempotencyKey,
        kind: 'fee',
        direction: 'in',
        amountCents,
        account: feeAccount(i),
        reference: paid.transactionReference,
        providerTransactionId,
      }),
    );
    return stored;
  });
  if (amountCents !== i.amountCents) {
    const service = findService(i.serviceKey);
    await createTask(db, {
      taskId: effectKey(i.caseId, 'fee-difference'),
      caseId: i.caseId,
      kind: 'check_fee_difference',
      serviceKey: i.serviceKey,
      authorityId: i.authorityId,
      candidateGroup: candidateGroupFor(service, i.authorityId, 'check_fee_difference'),
      reason: `Im Antragsportal wurden ${euro(amountCents)} bezahlt (Kassenzeichen ${paid.transactionReference}); die Gebühr für ${service.name} beträgt ${euro(i.amountCents)}. Bitte die Differenz erstatten oder nachfordern; es wurde nichts erneut abgebucht.`,
      dueAt: new Date(Date.now() + 14 * 86_400_000),
    });
  }
  return row;
}

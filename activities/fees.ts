import { ApplicationFailure } from '@temporalio/activity';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import type { FeeRequest, FeeResult, PaymentStatus, PayoutResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { recordHkrBooking } from '../db/queries/hkr-bookings.js';
import { findPayment, recordPayment, setPaymentStatus } from '../db/queries/payments.js';
import { PaymentRefusedError } from '../adapters/payments.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

export interface CaseRef {
  caseId: string;
  serviceKey: string;
  authorityId: string;
}

/**
 * Fees, refunds and pay-outs. Each money effect carries a key derived from the case, both at the
 * provider and as the primary key of its row, so a retried activity or a restarted worker finds the
 * first effect instead of charging or paying twice. A settled effect is booked for the HKR in the
 * same transaction that records it.
 */
export function createFeeActivities({ db, payments, documents, postbox }: ActivityDeps) {
  const account = (r: CaseRef) => {
    const authority = findService(r.serviceKey).authorities[r.authorityId];
    if (!authority) throw ApplicationFailure.nonRetryable(`authority ${r.authorityId} does not offer ${r.serviceKey}`);
    return authority.feeAccount;
  };
  const refused = (err: unknown) =>
    err instanceof PaymentRefusedError
      ? ApplicationFailure.nonRetryable(err.message, 'PaymentRefused', err.status)
      : err;

  const fees = {
    /** Opens the payment transaction for the case's fee, or finds the one already opened. */
    async requestFeePayment(i: CaseRef & { amountCents: number }): Promise<FeeRequest> {
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
      const t = await payments.provider
        .createTransaction({
          idempotencyKey,
          amountCents: i.amountCents,
          currency: 'EUR',
          purpose: `${service.name}, Vorgang ${i.caseId}`,
          returnUrl: new URL(`/cases/${i.caseId}`, payments.portalUrl).toString(),
          notifyUrl: payments.notifyUrl,
        })
        .catch((err: unknown) => Promise.reject(refused(err)));
      await recordPayment(db, {
        idempotencyKey,
        caseId: i.caseId,
        kind: 'fee',
        amountCents: t.amountCents,
        currency: t.currency,
        account: account(i),
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
    },

    /** Asks the provider how the fee stands; a payment seen for the first time is recorded and booked. */
    async checkFeePayment(
      i: CaseRef & { transactionId: string },
    ): Promise<{ status: PaymentStatus; reference?: string }> {
      const t = await payments.provider.getTransaction(i.transactionId);
      const idempotencyKey = effectKey(i.caseId, 'fee');
      if (t.status === 'paid' && t.reference) {
        const reference = t.reference;
        await db.transaction(async (tx) => {
          await setPaymentStatus(tx, { idempotencyKey, status: 'paid', reference, settledAt: new Date() });
          await recordHkrBooking(
            tx,
            booking(i, {
              bookingKey: idempotencyKey,
              kind: 'fee',
              direction: 'in',
              amountCents: t.amountCents,
              account: account(i),
              reference,
              providerTransactionId: t.transactionId,
            }),
          );
        });
      } else if (t.status !== 'open') await setPaymentStatus(db, { idempotencyKey, status: t.status });
      return { status: t.status, reference: t.reference };
    },

    /** One reminder to the applicant's postbox, with the payment page; never sent twice. */
    async remindFeePayment(
      i: CaseRef & { recipient: string; paymentPageUrl: string; amountCents: number; dueAt: string },
    ): Promise<void> {
      const text = [
        `Erinnerung: Für Ihren Antrag ${i.caseId} ist eine Gebühr von ${euro(i.amountCents)} offen.`,
        `Bitte bezahlen Sie bis ${i.dueAt}: ${i.paymentPageUrl}`,
      ].join('\n');
      const document = await documents.put(Buffer.from(text, 'utf8'), 'text/plain; charset=utf-8');
      await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, 'fee-reminder'),
        caseId: i.caseId,
        recipient: i.recipient,
        subject: `Zahlungserinnerung zu Ihrem Antrag ${i.caseId}`,
        document,
      });
    },

    /** Closes an unpaid transaction at the provider so the applicant can no longer pay into a cancelled case. */
    async cancelFeePayment(i: CaseRef & { transactionId: string }): Promise<{ status: PaymentStatus }> {
      const t = await payments.provider.cancelTransaction(i.transactionId);
      await setPaymentStatus(db, { idempotencyKey: effectKey(i.caseId, 'fee'), status: t.status });
      return { status: t.status };
    },

    /** Pays a fee back in full, once; booked as an outgoing payment. */
    async refundFee(i: CaseRef & { fee: FeeResult }): Promise<FeeResult> {
      const feeKey = effectKey(i.caseId, 'fee');
      const fee = await findPayment(db, { idempotencyKey: feeKey });
      if (!fee || fee.status === 'open')
        throw ApplicationFailure.nonRetryable(`no paid fee to refund for case ${i.caseId}`);
      const idempotencyKey = effectKey(i.caseId, 'refund');
      const r = await payments.provider
        .refund({
          idempotencyKey,
          transactionId: fee.providerTransactionId,
          amountCents: fee.amountCents,
          currency: 'EUR',
        })
        .catch((err: unknown) => Promise.reject(refused(err)));
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
          booking(i, {
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
    },

    /** Pays the approved amount to the applicant's IBAN, exactly once per case. */
    async payOut(i: CaseRef & { application: Record<string, unknown>; amountCents: number }): Promise<PayoutResult> {
      const service = findService(i.serviceKey);
      const field = service.fee.payeeIbanField ?? 'iban';
      const iban = electronicFormatIBAN(String(i.application[field] ?? '')) ?? '';
      if (!isValidIBAN(iban))
        throw ApplicationFailure.nonRetryable(`the application's ${field} is not a valid IBAN`, 'InvalidIban');
      const idempotencyKey = effectKey(i.caseId, 'payout');
      const p = await payments.provider
        .payout({
          idempotencyKey,
          amountCents: i.amountCents,
          currency: 'EUR',
          iban,
          purpose: `${service.name}, Vorgang ${i.caseId}`,
        })
        .catch((err: unknown) => Promise.reject(refused(err)));
      await db.transaction(async (tx) => {
        await recordPayment(tx, {
          idempotencyKey,
          caseId: i.caseId,
          kind: 'payout',
          amountCents: p.amountCents,
          currency: p.currency,
          account: account(i),
          providerTransactionId: p.payoutId,
          reference: p.reference,
          status: 'paid_out',
          settledAt: new Date(),
        });
        await recordHkrBooking(
          tx,
          booking(i, {
            bookingKey: idempotencyKey,
            kind: 'payout',
            direction: 'out',
            amountCents: p.amountCents,
            account: account(i),
            reference: p.reference,
            providerTransactionId: p.payoutId,
          }),
        );
      });
      return { payoutId: p.payoutId, amountCents: p.amountCents, currency: p.currency, reference: p.reference };
    },
  };
  return {
    ...fees,
    /** Opens the payment and asks its status in one step, so a fee paid at once costs the case no wait and no second step. */
    async openFeePayment(i: CaseRef & { amountCents: number }): Promise<OpenedFee> {
      const r = await fees.requestFeePayment(i);
      if (r.status === 'not_required') return r;
      return { ...r, provider: await fees.checkFeePayment({ ...i, transactionId: r.transactionId }) };
    },
  };
}

export type OpenedFee =
  | Exclude<FeeRequest, { status: 'open' }>
  | (Extract<FeeRequest, { status: 'open' }> & { provider: { status: PaymentStatus; reference?: string } });

function booking(
  r: CaseRef,
  b: {
    bookingKey: string;
    kind: 'fee' | 'refund' | 'payout';
    direction: 'in' | 'out';
    amountCents: number;
    account: string;
    reference: string;
    providerTransactionId: string;
  },
) {
  return {
    bookingKey: b.bookingKey,
    caseId: r.caseId,
    serviceKey: r.serviceKey,
    authorityId: r.authorityId,
    kind: b.kind,
    direction: b.direction,
    amountCents: b.amountCents,
    currency: 'EUR',
    account: b.account,
    transactionReference: b.reference,
    providerTransactionId: b.providerTransactionId,
  };
}

const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} EUR`;

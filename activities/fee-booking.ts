import type { CaseRef } from './fee-account.js';

/** A settled money effect as the HKR (Haushalts-, Kassen- und Rechnungswesen) books it, in euro. */
export interface SettledEffect {
  /** The effect's idempotency key: one booking per effect, however often the activity runs. */
  bookingKey: string;
  kind: 'fee' | 'refund' | 'payout';
  direction: 'in' | 'out';
  amountCents: number;
  account: string;
  reference: string;
  providerTransactionId: string;
}

/** The HKR booking row of a settled effect of the case; written in the transaction that records the effect. */
export function hkrBooking(r: CaseRef, b: SettledEffect) {
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

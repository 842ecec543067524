import type { Currency, PaymentStatus } from '../workflows/contracts/case.js';

/**
 * A payment provider in the shape of the German public-sector flow (ePayBL, pmPayment):
 * a payment request with a return address opens a transaction with a payment page; once paid it
 * carries a Kassenzeichen; its status can be read at any time. Every call that moves money
 * carries an idempotency key, so the provider answers a repeat with the first result.
 */
export interface PaymentProvider {
  createTransaction(r: PaymentRequest): Promise<PaymentTransaction>;
  getTransaction(transactionId: string): Promise<PaymentTransaction>;
  cancelTransaction(transactionId: string): Promise<PaymentTransaction>;
  payout(r: PayoutRequest): Promise<PayoutReceipt>;
  refund(r: RefundRequest): Promise<RefundReceipt>;
}

export interface PaymentRequest {
  idempotencyKey: string;
  amountCents: number;
  currency: Currency;
  /** Verwendungszweck; no personal data. */
  purpose: string;
  /** Where the payment page sends the applicant afterwards. */
  returnUrl: string;
  /** Where the provider posts signed webhooks; without one the engine polls. */
  notifyUrl?: string;
}

export interface PaymentTransaction {
  transactionId: string;
  paymentPageUrl: string;
  status: PaymentStatus;
  amountCents: number;
  currency: Currency;
  /** Kassenzeichen, set once paid. */
  reference?: string;
}

export interface PayoutRequest {
  idempotencyKey: string;
  amountCents: number;
  currency: Currency;
  iban: string;
  purpose: string;
}

export interface PayoutReceipt {
  payoutId: string;
  reference: string;
  amountCents: number;
  currency: Currency;
}

export interface RefundRequest {
  idempotencyKey: string;
  transactionId: string;
  amountCents: number;
  currency: Currency;
}

export interface RefundReceipt {
  refundId: string;
  reference: string;
  amountCents: number;
  currency: Currency;
}

/** The provider refused a request for a reason a retry cannot fix (bad IBAN, amount too high). */
export class PaymentRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PaymentRefusedError';
  }
}

/** What activities need to take payments: the provider and the addresses it calls back. */
export interface PaymentsDeps {
  provider: PaymentProvider;
  /** Base of the applicant's portal; the payment page returns to `<portalUrl>/cases/<caseId>`. */
  portalUrl: string;
  /** The engine's webhook route; unset means no webhooks, only polling. */
  notifyUrl?: string;
}

import { type Dispatcher, request } from 'undici';
import type {
  PaymentProvider,
  PaymentRequest,
  PaymentTransaction,
  PayoutReceipt,
  PayoutRequest,
  RefundReceipt,
  RefundRequest,
} from './payments.js';
import { PaymentRefusedError } from './payments.js';

/** Talks to a provider with the sandbox's HTTP interface; the idempotency key travels as a header. */
export class HttpPaymentProvider implements PaymentProvider {
  constructor(private readonly baseUrl: string) {}

  createTransaction(r: PaymentRequest): Promise<PaymentTransaction> {
    const { idempotencyKey, ...body } = r;
    return this.call('POST', '/transactions', body, idempotencyKey);
  }

  getTransaction(transactionId: string): Promise<PaymentTransaction> {
    return this.call('GET', `/transactions/${encodeURIComponent(transactionId)}`);
  }

  cancelTransaction(transactionId: string): Promise<PaymentTransaction> {
    return this.call('POST', `/transactions/${encodeURIComponent(transactionId)}/cancel`, {});
  }

  payout(r: PayoutRequest): Promise<PayoutReceipt> {
    const { idempotencyKey, ...body } = r;
    return this.call('POST', '/payouts', body, idempotencyKey);
  }

  refund(r: RefundRequest): Promise<RefundReceipt> {
    const { idempotencyKey, ...body } = r;
    return this.call('POST', '/refunds', body, idempotencyKey);
  }

  private async call<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const res = await request(new URL(path, this.baseUrl), {
      method: method as Dispatcher.HttpMethod,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await res.body.json().catch(() => ({}))) as T & { detail?: string };
    const status = res.statusCode;
    if (status >= 400 && status < 500)
      throw new PaymentRefusedError(answer.detail ?? `${method} ${path}: ${status}`, status);
    if (status < 200 || status > 299) throw new Error(`payment provider ${method} ${path}: ${status}`);
    return answer;
  }
}

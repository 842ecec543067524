import { randomInt, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import type { Currency } from '../../../workflows/contracts/case.js';
import { paymentPage, type SandboxTransaction } from './payment-page.js';
import { signedWebhookHeaders } from './webhook-signing.js';

/** What the sandbox does with a new transaction when nobody pays on its page: `manual` waits for the page. */
export type SandboxOutcome = 'paid' | 'failed' | 'abandoned' | 'manual';

export interface PaymentSandboxOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Hooks to add before the server listens (the chaos run's ledger). */
  beforeListen?: (app: FastifyInstance) => void;
  webhookSecret: string;
  outcome: SandboxOutcome;
  /** Delay before the automatic outcome, as if the applicant took this long on the page. */
  delayMs: number;
  /** Off: the sandbox never calls back, and the engine must poll. */
  webhooks?: boolean;
}

interface SandboxTransfer {
  id: string;
  idempotencyKey: string;
  reference: string;
  amountCents: number;
  currency: Currency;
}

export interface PaymentSandbox {
  url: string;
  app: FastifyInstance;
  /** Every pay-out executed, once per idempotency key: what the provider's books would show. */
  payouts: SandboxTransfer[];
  refunds: SandboxTransfer[];
  webhooksSent: number;
  close(): Promise<void>;
}

const kassenzeichen = () => `KZ-${String(randomInt(1e6)).padStart(6, '0')}${String(randomInt(1e6)).padStart(6, '0')}`;
const problem = (reply: FastifyReply, status: number, detail: string) =>
  reply
    .status(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: 'Payment refused', status, detail });

/** An HTTP server that plays the payment provider: payment page, configurable outcome and delay, signed webhooks. */
export async function startPaymentSandbox(o: PaymentSandboxOptions): Promise<PaymentSandbox> {
  const app = Fastify({ logger: false });
  const transactions = new Map<string, SandboxTransaction>();
  const byKey = new Map<string, string>();
  const payouts = new Map<string, SandboxTransfer>();
  const refunds = new Map<string, SandboxTransfer>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';
  const sandbox: PaymentSandbox = {
    url: '',
    app,
    get payouts() {
      return [...payouts.values()];
    },
    get refunds() {
      return [...refunds.values()];
    },
    webhooksSent: 0,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await app.close();
    },
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const view = (t: SandboxTransaction) => ({
    transactionId: t.transactionId,
    paymentPageUrl: `${baseUrl}/pay/${t.transactionId}`,
    status: t.status,
    amountCents: t.amountCents,
    currency: t.currency,
    reference: t.reference,
  });

  const settle = (t: SandboxTransaction, outcome: Exclude<SandboxOutcome, 'manual'>) => {
    if (t.status === 'paid' || t.status === 'cancelled') return;
    t.status = outcome;
    if (outcome === 'paid') t.reference = kassenzeichen();
    if (o.webhooks !== false && t.notifyUrl) void notify(t, t.notifyUrl);
  };

  // Delivered a few times with backoff; a webhook that never arrives is what the engine's polling is for.
  const notify = async (t: SandboxTransaction, url: string) => {
    const body = JSON.stringify({ type: 'transaction.updated', ...view(t), occurredAt: new Date().toISOString() });
    const headers = signedWebhookHeaders(o.webhookSecret, body);
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) }).catch(
        () => undefined,
      );
      if (res && res.status < 500) {
        sandbox.webhooksSent++;
        return;
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  };

  const find = (id: string) => transactions.get(id);

  app.post<{
    Body: { amountCents: number; currency: Currency; purpose: string; returnUrl: string; notifyUrl?: string };
  }>(
    '/transactions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['amountCents', 'currency', 'purpose', 'returnUrl'],
          properties: {
            amountCents: { type: 'integer', minimum: 1 },
            currency: { const: 'EUR' },
            purpose: { type: 'string', minLength: 1, maxLength: 140 },
            returnUrl: { type: 'string', format: 'uri' },
            notifyUrl: { type: 'string', format: 'uri' },
          },
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) return problem(reply, 400, 'Idempotency-Key header required');
      const existing = byKey.get(key);
      if (existing) return view(find(existing)!);
      const t: SandboxTransaction = {
        transactionId: `tx_${randomUUID()}`,
        idempotencyKey: key,
        ...req.body,
        status: 'open',
        refundedCents: 0,
      };
      transactions.set(t.transactionId, t);
      byKey.set(key, t.transactionId);
      const outcome = o.outcome;
      if (outcome !== 'manual') {
        if (o.delayMs <= 0) settle(t, outcome);
        else {
          const timer = setTimeout(() => (timers.delete(timer), settle(t, outcome)), o.delayMs);
          timers.add(timer);
        }
      }
      return reply.status(201).send(view(t));
    },
  );

  app.get<{ Params: { id: string } }>('/transactions/:id', async (req, reply) => {
    const t = find(req.params.id);
    return t ? view(t) : problem(reply, 404, 'unknown transaction');
  });

  app.post<{ Params: { id: string } }>('/transactions/:id/cancel', async (req, reply) => {
    const t = find(req.params.id);
    if (!t) return problem(reply, 404, 'unknown transaction');
    if (t.status !== 'paid') t.status = 'cancelled';
    return view(t);
  });

  app.get<{ Params: { id: string } }>('/pay/:id', async (req, reply) => {
    const t = find(req.params.id);
    return t ? reply.type('text/html; charset=utf-8').send(paymentPage(t)) : problem(reply, 404, 'unknown transaction');
  });

  app.post<{ Params: { id: string }; Body: { outcome?: string } }>('/pay/:id', async (req, reply) => {
    const t = find(req.params.id);
    if (!t) return problem(reply, 404, 'unknown transaction');
    const outcome = req.body?.outcome;
    if (outcome !== 'paid' && outcome !== 'failed' && outcome !== 'abandoned')
      return problem(reply, 400, 'outcome must be paid, failed or abandoned');
    if (t.status === 'paid' || t.status === 'cancelled') return problem(reply, 409, `transaction is ${t.status}`);
    settle(t, outcome);
    return req.headers['content-type']?.startsWith('application/json') ? view(t) : reply.redirect(t.returnUrl, 303);
  });

  app.post<{ Body: { amountCents: number; currency: Currency; iban: string; purpose: string } }>(
    '/payouts',
    {
      schema: {
        body: {
          type: 'object',
          required: ['amountCents', 'currency', 'iban', 'purpose'],
          properties: {
            amountCents: { type: 'integer', minimum: 1 },
            currency: { const: 'EUR' },
            iban: { type: 'string' },
            purpose: { type: 'string' },
          },
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) return problem(reply, 400, 'Idempotency-Key header required');
      const existing = payouts.get(key);
      if (existing)
        return {
          payoutId: existing.id,
          reference: existing.reference,
          amountCents: existing.amountCents,
          currency: existing.currency,
        };
      if (!isValidIBAN(electronicFormatIBAN(req.body.iban) ?? '')) return problem(reply, 422, 'invalid IBAN');
      const p = {
        id: `po_${randomUUID()}`,
        idempotencyKey: key,
        reference: kassenzeichen(),
        amountCents: req.body.amountCents,
        currency: req.body.currency,
      };
      payouts.set(key, p);
      return reply
        .status(201)
        .send({ payoutId: p.id, reference: p.reference, amountCents: p.amountCents, currency: p.currency });
    },
  );

  app.post<{ Body: { transactionId: string; amountCents: number; currency: Currency } }>(
    '/refunds',
    {
      schema: {
        body: {
          type: 'object',
          required: ['transactionId', 'amountCents', 'currency'],
          properties: {
            transactionId: { type: 'string' },
            amountCents: { type: 'integer', minimum: 1 },
            currency: { const: 'EUR' },
          },
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) return problem(reply, 400, 'Idempotency-Key header required');
      const existing = refunds.get(key);
      if (existing)
        return {
          refundId: existing.id,
          reference: existing.reference,
          amountCents: existing.amountCents,
          currency: existing.currency,
        };
      const t = find(req.body.transactionId);
      if (!t || t.status !== 'paid') return problem(reply, 422, 'only a paid transaction can be refunded');
      if (t.refundedCents + req.body.amountCents > t.amountCents)
        return problem(reply, 422, 'refund exceeds the amount paid');
      t.refundedCents += req.body.amountCents;
      const r = {
        id: `rf_${randomUUID()}`,
        idempotencyKey: key,
        reference: kassenzeichen(),
        amountCents: req.body.amountCents,
        currency: req.body.currency,
      };
      refunds.set(key, r);
      return reply
        .status(201)
        .send({ refundId: r.id, reference: r.reference, amountCents: r.amountCents, currency: r.currency });
    },
  );

  o.beforeListen?.(app);
  await app.listen({ host: o.host ?? '127.0.0.1', port: o.port });
  const address = app.server.address();
  baseUrl = `http://${o.host ?? '127.0.0.1'}:${typeof address === 'object' && address ? address.port : o.port}`;
  sandbox.url = baseUrl;
  return sandbox;
}

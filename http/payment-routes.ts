import type { FastifyPluginAsync } from 'fastify';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Database } from '../db/client.js';
import { rememberWebhook } from '../db/queries/payment-webhook-events.js';
import { findCaseOfTransaction } from '../db/queries/payments.js';
import { exportHkrBookings } from '../adapters/hkr-export.js';
import type { CaseClient } from '../client/case-client.js';
import { bytesBodyValidator, problemResponses } from './api-schemas.js';
import { bearerSecurity, requireStaff } from './http-auth.js';
import { HttpProblem } from './problem.js';

export interface PaymentRoutesOptions {
  db: Database;
  cases: CaseClient;
  /** Shared with the provider; Standard Webhooks format (`whsec_` + base64). */
  webhookSecret: string;
}

/**
 * The provider's webhooks. A webhook counts only when its HMAC signature matches, its timestamp lies
 * within five minutes, and its id was never seen before; then it wakes the case, which asks the
 * provider for the status itself. Anything else is refused and changes nothing.
 */
export const paymentRoutes: FastifyPluginAsync<PaymentRoutesOptions> = async (app, o) => {
  const webhook = new Webhook(o.webhookSecret);
  // The signature covers the exact bytes, so this plugin keeps the body as a string.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/payments/webhook',
    {
      config: { access: 'webhook' },
      validatorCompiler: bytesBodyValidator,
      schema: {
        summary:
          "The payment provider's signed webhook (Standard Webhooks); wakes the case waiting for the transaction",
        headers: {
          type: 'object',
          properties: {
            'webhook-id': { type: 'string' },
            'webhook-timestamp': { type: 'string' },
            'webhook-signature': { type: 'string' },
          },
        },
        body: {
          type: 'object',
          description: 'checked by its signature over the exact bytes, not by schema',
          required: ['transactionId'],
          additionalProperties: true,
          properties: { transactionId: { type: 'string' } },
        },
        response: {
          204: { type: 'null', description: 'accepted; the case asks the provider for the status itself' },
          ...problemResponses(400, 401, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      let event: { transactionId?: unknown };
      try {
        event = webhook.verify(req.body as string, headers) as typeof event;
      } catch (err) {
        if (err instanceof WebhookVerificationError) throw new HttpProblem(401, `webhook refused: ${err.message}`);
        throw err;
      }
      if (typeof event.transactionId !== 'string') throw new HttpProblem(400, 'transactionId missing');
      if (!(await rememberWebhook(o.db, { webhookId: headers['webhook-id']!, transactionId: event.transactionId }))) {
        throw new HttpProblem(409, 'webhook already received (replay)');
      }
      const owner = await findCaseOfTransaction(o.db, { providerTransactionId: event.transactionId });
      if (!owner) throw new HttpProblem(404, 'no case waits for this transaction');
      try {
        await o.cases.notifyPayment(owner.caseId, { transactionId: event.transactionId });
      } catch (err) {
        // A closed case has nothing left to wait for.
        if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
      }
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: { format?: 'csv' | 'json'; from?: string; to?: string; limit: number; offset: number } }>(
    '/payments/bookings',
    {
      config: { access: 'role:budget_office' },
      schema: {
        summary: 'Bookings for the budget office (HKR), as CSV or JSON',
        security: bearerSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { enum: ['csv', 'json'] },
            from: { type: 'string', format: 'date-time', description: 'bookings at or after this instant' },
            to: { type: 'string', format: 'date-time', description: 'bookings before this instant' },
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            description: "the caller's authority's HKR booking records, a page at a time",
            content: {
              'application/json': { schema: { $ref: 'HkrBookings#' } },
              'text/csv': { schema: { type: 'string', description: 'RFC 4180 with a header row' } },
            },
          },
          ...problemResponses(400),
        },
      },
    },
    async (req, reply) => {
      // The budget office exports its own authority's bookings only, one page at a time.
      const { authorityId } = requireStaff(req);
      const { format = 'json', limit, offset } = req.query;
      const from = req.query.from ? new Date(req.query.from) : undefined;
      const to = req.query.to ? new Date(req.query.to) : undefined;
      if (from && to && from >= to) throw new HttpProblem(400, '"from" must lie before "to"');
      const body = await exportHkrBookings(o.db, { format, authorityId, from, to, limit, offset });
      // JSON goes out as an object, so the response schema checks it; CSV is text.
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(body);
      return reply.type('application/json; charset=utf-8').send(JSON.parse(body));
    },
  );
};

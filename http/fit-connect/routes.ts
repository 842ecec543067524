import type { FastifyPluginAsync } from 'fastify';
import { CALLBACK_NEW_SUBMISSIONS, verifyCallback } from '../../adapters/fit-connect/callback.js';
import { problemResponses } from '../api-schemas.js';
import { HttpProblem } from '../problem.js';

export interface FitConnectRoutesOptions {
  /** The callback secret agreed with the delivery service. */
  callbackSecret: string;
  /**
   * Called with the ids a verified callback announces; the receiver fetches them in the background, each id once and
   * a bounded number per callback, and says how many it took (the poll picks up the rest).
   */
  onNewSubmissions(submissionIds: string[]): number;
}

const callbackBody = {
  type: 'object',
  required: ['type', 'submissions'],
  properties: {
    type: {
      type: 'string',
      description: `${CALLBACK_NEW_SUBMISSIONS} (other callback types are acknowledged and ignored)`,
    },
    submissions: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        required: ['submissionId'],
        properties: {
          destinationId: { type: 'string' },
          submissionId: { type: 'string', maxLength: 64 },
          caseId: { type: 'string' },
        },
      },
    },
  },
} as const;

/**
 * POST /fit-connect/callback: the delivery service announces new submissions. Counted only with a matching
 * `callback-authentication` (hex HMAC-SHA512 over "<callback-timestamp>.<raw body>") and a timestamp at most five
 * minutes old; then the receiver fetches them (it polls as well, so a lost callback only delays pickup).
 */
export const fitConnectRoutes: FastifyPluginAsync<FitConnectRoutesOptions> = async (app, o) => {
  // The HMAC covers the exact bytes, so this plugin keeps the body as a string.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/fit-connect/callback',
    {
      config: { access: 'webhook' },
      bodyLimit: 256 * 1024,
      schema: {
        summary: 'FIT-Connect callback: new submissions for this destination',
        headers: {
          type: 'object',
          properties: {
            'callback-authentication': { type: 'string', description: 'hex HMAC-SHA512 of "<timestamp>.<body>"' },
            'callback-timestamp': { type: 'string', description: 'Unix time in seconds' },
          },
        },
        body: callbackBody,
        response: {
          202: {
            type: 'object',
            required: ['accepted'],
            properties: { accepted: { type: 'integer', description: 'submissions the receiver will fetch' } },
          },
          ...problemResponses(400, 401),
        },
      },
      // The schema documents the body; the handler parses the raw string itself, after the HMAC check.
      validatorCompiler: () => () => true,
    },
    async (req, reply) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      const header = (name: string) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const verdict = verifyCallback(
        o.callbackSecret,
        { authentication: header('callback-authentication'), timestamp: header('callback-timestamp') },
        raw,
      );
      if (!verdict.ok) throw new HttpProblem(401, verdict.reason, { code: 'callback_refused' });
      let body: { type?: unknown; submissions?: Array<{ submissionId?: unknown }> };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        throw new HttpProblem(400, 'The callback is no JSON.', { code: 'malformed_json' });
      }
      if (body.type !== CALLBACK_NEW_SUBMISSIONS) return reply.status(202).send({ accepted: 0 });
      const ids = (Array.isArray(body.submissions) ? body.submissions : [])
        .map((s) => s?.submissionId)
        .filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id));
      return reply.status(202).send({ accepted: o.onNewSubmissions(ids) });
    },
  );
};

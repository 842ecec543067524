import Fastify, { type FastifyInstance } from 'fastify';
import type { CaseClient } from './case-client.js';
import { assistantRoutes, type AssistantRoutesOptions } from './assistant-routes.js';
import { TRUST_LEVELS } from '../contracts/case.js';
import { listServices, UnknownServiceError } from '../services/catalogue.js';

const submitBody = {
  type: 'object',
  additionalProperties: false,
  required: ['serviceKey', 'authorityId', 'identity', 'application'],
  properties: {
    serviceKey: { type: 'string', minLength: 1, maxLength: 64 },
    authorityId: { type: 'string', minLength: 1, maxLength: 64 },
    identity: {
      type: 'object',
      additionalProperties: false,
      required: ['subject', 'trustLevel'],
      properties: { subject: { type: 'string', minLength: 1, maxLength: 128 }, trustLevel: { enum: [...TRUST_LEVELS] } },
    },
    application: { type: 'object' },
  },
} as const;

/** The HTTP entry point for portals; every route goes through the typed CaseClient. */
export function buildHttpApi(cases: CaseClient, extras: AssistantRoutesOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const status = err instanceof UnknownServiceError ? 404 : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    const detail = status < 500 ? err.message : 'The request could not be processed.';
    void reply.status(status).type('application/problem+json').send({ type: 'about:blank', title: titles[status] ?? 'Error', status, detail });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  void app.register(assistantRoutes, extras);

  app.get('/services', async () =>
    listServices().map((s) => ({ key: s.key, name: s.name, legalBasis: s.legalBasis, minimumTrustLevel: s.minimumTrustLevel, authorities: Object.keys(s.authorities) })),
  );

  app.post<{ Body: Parameters<CaseClient['submit']>[0] }>('/cases', { schema: { body: submitBody } }, async (req, reply) => {
    const idempotencyKey = req.headers['idempotency-key'];
    const submitted = await cases.submit({ ...req.body, idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined });
    return reply.status(202).header('location', `/cases/${submitted.caseId}`).send(submitted);
  });

  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId',
    { schema: { params: { type: 'object', properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } } } },
    async (req, reply) => {
      try {
        return await cases.status(req.params.caseId);
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') return reply.callNotFound();
        throw err;
      }
    },
  );
  return app;
}

const titles: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error' };

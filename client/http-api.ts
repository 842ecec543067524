import Fastify, { type FastifyInstance } from 'fastify';
import type { TokenVerifier } from '../identity/token-verifier.js';
import { UnknownServiceError } from '../services/catalogue.js';
import type { CaseClient } from './case-client.js';
import { catalogueRoutes } from './catalogue-routes.js';
import { INTAKE_BODY_LIMIT, intakeRoutes } from './intake-routes.js';
import { verificationRoutes, type VerificationDeps } from './verification-routes.js';
import type { DocumentStore } from '../adapters/document-store.js';
import type { Database } from '../db/client.js';
import { evidenceUploadRoutes } from './evidence-upload-routes.js';
import { timelineRoutes } from './timeline-routes.js';
import { transparencyRoutes } from './transparency-routes.js';
import { paymentRoutes, type PaymentRoutesOptions } from './payment-routes.js';

export interface HttpApiOptions {
  /** Verifies the identity token an application carries. */
  verifier: TokenVerifier;
  /** Serves the public seal verification endpoint when given. */
  verification?: VerificationDeps;
  /** Serves the transparency log, the applicant's timeline and evidence uploads when given. */
  evidence?: { db: Database; documents: DocumentStore; uploadMaxBytes: number };
  /** Serves the payment provider's webhook and the HKR booking export when given. */
  payments?: Omit<PaymentRoutesOptions, 'cases'>;
}

/** The HTTP entry point for portals; every route goes through the typed CaseClient. */
export function buildHttpApi(cases: CaseClient, o: HttpApiOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: INTAKE_BODY_LIMIT });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const status = err instanceof UnknownServiceError ? 404 : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    const detail = status < 500 ? err.message : 'The request could not be processed.';
    void reply.status(status).type('application/problem+json').send({ type: 'about:blank', title: titles[status] ?? 'Error', status, detail });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  if (o.verification) void app.register(verificationRoutes, o.verification);
  if (o.payments) void app.register(paymentRoutes, { ...o.payments, cases });

  void app.register(catalogueRoutes);
  void app.register(intakeRoutes, { cases, verifier: o.verifier });

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
  if (o.evidence) {
    void app.register(transparencyRoutes, { db: o.evidence.db });
    void app.register(timelineRoutes, { cases });
    void app.register(evidenceUploadRoutes, { cases, documents: o.evidence.documents, maxBytes: o.evidence.uploadMaxBytes });
  }
  return app;
}

const titles: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error' };

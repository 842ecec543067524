import responseValidation from '@fastify/response-validation';
import swagger from '@fastify/swagger';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CaseClient } from '../client/case-client.js';
import type { TaskClient } from '../client/task-client.js';
import type { ArchiveStore } from '../adapters/archive-store.js';
import type { DocumentStore } from '../adapters/document-store.js';
import type { TokenVerifier } from '../platform/auth/tokens.js';
import type { Database } from '../db/client.js';
import type { TokenVerifier as IdentityVerifier } from '../platform/identity/token-verifier.js';
import { binaryFormat, problemResponses, sharedSchemas } from './api-schemas.js';
import { applicantRoutes } from './applicant-routes.js';
import { documentRoutes } from './document-routes.js';
import { recordStaffReads } from './access-log.js';
import { CASE_WORK, documentErrorAnswers, enforceAccess, requireDeclaredAccess } from './access.js';
import { caseViewFor } from './case-view.js';
import { installSecurity, isRateLimited, type SecurityOptions } from './security.js';
import { catalogueRoutes } from './catalogue-routes.js';
import { objectionRoutes } from './objection-routes.js';
import { correctionRoutes } from './correction-routes.js';
import { hearingRoutes } from './hearing-routes.js';
import { fictionRoutes } from './fiction-routes.js';
import { evidenceUploadRoutes } from './evidence-upload-routes.js';
import { fitConnectRoutes, type FitConnectRoutesOptions } from './fit-connect/routes.js';
import { bearerSecurity, installAuth, requirePrincipal } from './http-auth.js';
import { INTAKE_BODY_LIMIT, intakeRoutes } from './intake-routes.js';
import { problemHandler } from './problem.js';
import { paymentRoutes, type PaymentRoutesOptions } from './payment-routes.js';
import { taskRoutes } from './task-routes.js';
import { milestoneRoutes } from './timeline-routes.js';
import { dataSubjectRoutes } from './data-subject-routes.js';
import { transparencyRoutes } from './transparency-routes.js';
import { verificationRoutes, type VerificationDeps } from './verification-routes.js';
import { assistantRoutes, type AssistantRoutesOptions } from './assistant-routes.js';
import { incidentRoutes, type IncidentRoutesOptions } from './incident-routes.js';
import { httpLogOptions, installRequestLog, type Logger } from '../platform/logger.js';
import { registerWorkbench, type WorkbenchDeps } from './workbench/index.js';
import type { EngineMetrics } from '../platform/metrics.js';

export interface HttpApiDeps {
  cases: CaseClient;
  tasks: TaskClient;
  /** Verifies the bearer tokens of applicants and staff calling the API. */
  auth: TokenVerifier;
  /** Verifies the identity token (OpenID Connect, with trust level) an application carries at intake. */
  identity: IdentityVerifier;
  /** Serves the public seal verification endpoint when given. */
  verification?: VerificationDeps;
  /** Serves the transparency log, the applicant's milestones and evidence uploads when given. */
  evidence?: { db: Database; documents: DocumentStore; uploadMaxBytes: number; archive?: ArchiveStore };
  /** Serves the payment provider's webhook and the HKR booking export when given. */
  payments?: Omit<PaymentRoutesOptions, 'cases'>;
  /** Serves the service finder and the applicant-question routes of the dialogue assistant when given. */
  assistant?: AssistantRoutesOptions;
  /** Structured request and 5xx logs (JSON, personal fields redacted); unset means no logs. */
  logger?: Logger;
  /** Serves the case-file API and the case workers' workbench (/workbench) when given. */
  workbench?: WorkbenchDeps;
  /** Rate limits of the public routes and security headers; defaults when absent. */
  security?: SecurityOptions;
  /** Serves the operators' incident list and resolutions when given. */
  incidents?: IncidentRoutesOptions;
  /** Counts every answered request by route and status for the process's metrics endpoint. */
  metrics?: EngineMetrics;
  /** Takes the FIT-Connect delivery service's callback (HMAC-checked) when given. */
  fitConnect?: FitConnectRoutesOptions;
}

const registeredRoutes = new WeakMap<FastifyInstance, string[]>();
/** Every documented route as "METHOD /path", to check the OpenAPI document against. */
export const routesOf = (app: FastifyInstance): string[] => registeredRoutes.get(app) ?? [];

/** The HTTP entry point for portals and Fachverfahren; every route goes through the typed clients. */
export async function buildHttpApi(o: HttpApiDeps): Promise<FastifyInstance> {
  const { cases, tasks, auth } = o;
  const app = Fastify({
    ...httpLogOptions(o.logger),
    bodyLimit: INTAKE_BODY_LIMIT,
    trustProxy: o.security?.trustProxy ?? false,
  });
  if (o.logger) installRequestLog(app);
  // First: every route added after this must declare who may call it.
  requireDeclaredAccess(app);
  // Before response validation's own hook reads the schemas: every route's refusals are documented and checked.
  documentErrorAnswers(app, isRateLimited);
  const routes: string[] = [];
  app.addHook(
    'onRoute',
    (r) => void [r.method].flat().forEach((m) => m !== 'HEAD' && !r.schema?.hide && routes.push(`${m} ${r.url}`)),
  );
  registeredRoutes.set(app, routes);
  if (o.metrics) countRequests(app, o.metrics);
  for (const s of sharedSchemas) app.addSchema(s);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OZG case engine',
        version: '0.1.0',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      // Relative: the engine that served this document (its public address is the operator's to set).
      servers: [{ url: '/', description: 'the engine that served this document' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  // Responses are checked against their schema too: a route that breaks its contract answers 500, never bad data.
  await app.register(responseValidation, {
    ajv: { plugins: [addFormats.default, binaryFormat], schemas: sharedSchemas },
  });
  // Headers first, so refusals carry them too.
  await installSecurity(app, o.security);
  installAuth(app, auth);
  enforceAccess(app, cases);
  // Every staff read of an Akte (routes that declare config.accessLog) is recorded before it is answered.
  if (o.workbench) recordStaffReads(app, o.workbench.db);

  // The one error handler: every refusal and failure is answered as RFC 9457 problem details (or the route's page).
  app.setErrorHandler(problemHandler);

  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness',
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );

  await app.register(catalogueRoutes);
  await app.register(intakeRoutes, { cases, verifier: o.identity });

  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId',
    {
      // Status, decision, task and its reason: case work (the budget office and operators have their own panels).
      config: { access: 'case:party', roles: CASE_WORK },
      schema: {
        summary: 'Where a case stands: status, decision, tasks and documents',
        security: bearerSecurity,
        params: { type: 'object', properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
        response: { 200: { $ref: 'CaseState#' }, ...problemResponses(401, 404) },
      },
    },
    async (req) => caseViewFor(requirePrincipal(req), req.caseState!),
  );

  await app.register(applicantRoutes, { cases, tasks });
  await app.register(taskRoutes, { tasks });
  if (o.verification) {
    await app.register(verificationRoutes, o.verification);
    await app.register(documentRoutes, o.verification);
  }
  if (o.assistant) await app.register(assistantRoutes, o.assistant);
  if (o.incidents) await app.register(incidentRoutes, o.incidents);
  if (o.payments) await app.register(paymentRoutes, { ...o.payments, cases });
  if (o.fitConnect) await app.register(fitConnectRoutes, o.fitConnect);
  if (o.evidence) {
    await app.register(transparencyRoutes, { db: o.evidence.db });
    await app.register(dataSubjectRoutes, {
      db: o.evidence.db,
      documents: o.evidence.documents,
      archive: o.evidence.archive,
    });
    await app.register(milestoneRoutes, { cases });
    await app.register(fictionRoutes, { cases });
    await app.register(evidenceUploadRoutes, {
      cases,
      documents: o.evidence.documents,
      maxBytes: o.evidence.uploadMaxBytes,
      db: o.evidence.db,
    });
    await app.register(objectionRoutes, {
      cases,
      documents: o.evidence.documents,
      maxBytes: o.evidence.uploadMaxBytes,
    });
    await app.register(correctionRoutes, { cases });
    await app.register(hearingRoutes, {
      cases,
      documents: o.evidence.documents,
      maxBytes: o.evidence.uploadMaxBytes,
    });
  }
  if (o.workbench) await registerWorkbench(app, { ...o.workbench, tasks, corrections: cases.corrections });
  return app;
}

function countRequests(app: FastifyInstance, metrics: EngineMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpRequests.inc({
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: `${Math.floor(reply.statusCode / 100)}xx`,
    });
  });
}

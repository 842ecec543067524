import responseValidation from '@fastify/response-validation';
import swagger from '@fastify/swagger';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CaseClient } from './case-client.js';
import type { TaskClient } from './task-client.js';
import { CommandRefusedError } from './task-client.js';
import { TRUST_LEVELS } from '../contracts/case.js';
import { InvalidTokenError, type TokenVerifier } from '../auth/tokens.js';
import { listServices, UnknownServiceError } from '../services/catalogue.js';
import { problemResponses, sharedSchemas } from './api-schemas.js';
import { applicantRoutes } from './applicant-routes.js';
import { bearerSecurity, HttpProblem, installAuth, maySeeCase, requireApplicant, requirePrincipal } from './http-auth.js';
import { taskRoutes } from './task-routes.js';

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

export interface HttpApiDeps {
  cases: CaseClient;
  tasks: TaskClient;
  auth: TokenVerifier;
}

const registeredRoutes = new WeakMap<FastifyInstance, string[]>();
/** Every documented route as "METHOD /path", to check the OpenAPI document against. */
export const routesOf = (app: FastifyInstance): string[] => registeredRoutes.get(app) ?? [];

const refusalStatus = { forbidden: 403, conflict: 409, invalid: 422 } as const;

/** The HTTP entry point for portals and Fachverfahren; every route goes through the typed clients. */
export async function buildHttpApi({ cases, tasks, auth }: HttpApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  const routes: string[] = [];
  app.addHook('onRoute', (r) => void [r.method].flat().forEach((m) => m !== 'HEAD' && !r.schema?.hide && routes.push(`${m} ${r.url}`)));
  registeredRoutes.set(app, routes);
  for (const s of sharedSchemas) app.addSchema(s);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'OZG case engine', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // Responses are checked against their schema too: a route that breaks its contract answers 500, never bad data.
  await app.register(responseValidation, { ajv: { plugins: [addFormats.default], schemas: sharedSchemas } });
  installAuth(app, auth);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const status =
      err instanceof UnknownServiceError ? 404
      : err instanceof InvalidTokenError ? 401
      : err instanceof CommandRefusedError ? refusalStatus[err.type]
      : err.statusCode && err.statusCode < 500 ? err.statusCode
      : 500;
    const detail = status < 500 ? err.message : 'The request could not be processed.';
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply.status(status).type('application/problem+json').send({ type: 'about:blank', title: titles[status] ?? 'Error', status, detail });
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/health', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

  app.get(
    '/services',
    {
      schema: {
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                name: { type: 'string' },
                legalBasis: { type: 'string' },
                minimumTrustLevel: { type: 'string', enum: [...TRUST_LEVELS] },
                authorities: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    async () => listServices().map((s) => ({ key: s.key, name: s.name, legalBasis: s.legalBasis, minimumTrustLevel: s.minimumTrustLevel, authorities: Object.keys(s.authorities) })),
  );

  app.post<{ Body: Parameters<CaseClient['submit']>[0] }>(
    '/cases',
    {
      schema: {
        security: bearerSecurity,
        body: submitBody,
        response: {
          202: { type: 'object', properties: { caseId: { type: 'string' }, workflowId: { type: 'string' }, ruleSetVersion: { type: 'string' } } },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const applicant = requireApplicant(req);
      if (req.body.identity.subject !== applicant.subject) throw new HttpProblem(403, 'the identity must be the applicant\'s own');
      const idempotencyKey = req.headers['idempotency-key'];
      const submitted = await cases.submit({ ...req.body, idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined });
      return reply.status(202).header('location', `/cases/${submitted.caseId}`).send(submitted);
    },
  );

  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId',
    {
      schema: {
        security: bearerSecurity,
        params: { type: 'object', properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
        response: { 200: { $ref: 'CaseState#' }, ...problemResponses(401, 404) },
      },
    },
    async (req) => {
      const principal = requirePrincipal(req);
      const state = await cases.status(req.params.caseId).catch((err: Error) => {
        throw err.name === 'WorkflowNotFoundError' ? new HttpProblem(404, 'no such case') : err;
      });
      if (!maySeeCase(principal, state)) throw new HttpProblem(404, 'no such case');
      // The applicant sees the question put to them, not who works on the task.
      return principal.role === 'applicant' ? { ...state, task: undefined, openQuestion: state.task?.openQuestion } : state;
    },
  );

  await app.register(applicantRoutes, { cases, tasks });
  await app.register(taskRoutes, { tasks });
  return app;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

import type { FastifyInstance } from 'fastify';
import { createCaseEngineClient } from '../client/http/index.js';
import { afterAll } from 'vitest';
import type { SubmitApplication } from '../client/case-client.js';
import type { StaffRole } from '../workflows/contracts/task.js';
import { startLocalIdentityProvider } from '../dev/identity/local-identity-provider.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { localIssuer, type LocalIssuer } from '../dev/identity/local-issuer.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { buildHttpApi } from '../http/http-api.js';
import type { TaskClient } from '../client/task-client.js';
import type { CaseClient } from '../client/case-client.js';
import { waitFor as poll } from './support/wait.js';

// Suites that reach the API for tasks, evidence or verification submit through the typed client, not intake.
export const intakeNotUnderTest = { verify: async () => Promise.reject(new Error('intake not under test')) };

export const tokenAudience = { issuer: 'test-idp', audience: 'ozg-case-engine-test' };
const audience = tokenAudience;
/** Tests sign their own tokens with a key of their own; the API verifies them like any configured key set. */
export const tokens: LocalIssuer = await localIssuer(audience);
/** A key the API does not trust, for tokens that must be refused. */
export const foreignTokens: LocalIssuer = await localIssuer(audience);

export const applicantToken = (subject: string) => tokens.sign({ role: 'applicant', subject });
export const staffToken = (subject: string, authorityId: string, role: StaffRole = 'case_worker') =>
  tokens.sign({ role, subject, authorityId });

/** The sandbox identity provider applicants log in at; intake verifies its identity tokens. */
export const idp = await startLocalIdentityProvider({ host: '127.0.0.1', port: 0, audience: 'ozg-case-engine' });
afterAll(() => idp.stop());

/** The clients a test's engine (test/harness.ts) hands the API. */
interface TestEngine {
  cases: CaseClient;
  tasks: TaskClient;
}

export const apiFor = (e: TestEngine): Promise<FastifyInstance> =>
  buildHttpApi({
    cases: e.cases,
    tasks: e.tasks,
    auth: jwtVerifier(tokens.keys, audience),
    identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
  });

/**
 * The API listening on a free port, and the generated client (client/http) for any caller: the tests then see
 * exactly what a portal or Fachverfahren sees, and a change of the OpenAPI document breaks them at compile time.
 */
export const listeningApi = async (e: TestEngine) => listening(await apiFor(e));

/** Any built API listening on a free port, with the generated client for any caller. */
export async function listening(app: FastifyInstance) {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    as: (token?: string) => createCaseEngineClient(url, token ? { token } : {}),
    close: () => app.close(),
  };
}

/** Submits over HTTP as the portal does: the application with the applicant's identity token from the sandbox provider. */
export async function submitOverHttp(api: FastifyInstance, a: SubmitApplication, identityToken?: string) {
  const token = identityToken ?? (await idp.issue({ subject: a.identity.subject, trustLevel: a.identity.trustLevel }));
  return call(api, 'POST', '/cases', undefined, {
    serviceKey: a.serviceKey,
    authorityId: a.authorityId,
    identityToken: token,
    application: a.application,
    consent: a.consent,
  });
}

/** One HTTP call through fastify's injector: real routing, validation, serialization and error handler. */
export async function call(api: FastifyInstance, method: 'GET' | 'POST', url: string, token?: string, body?: object) {
  const res = await api.inject({
    method,
    url,
    payload: body,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: res.statusCode,
    body: res.body ? (JSON.parse(res.body) as any) : undefined,
    contentType: res.headers['content-type'],
  };
}

export const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> =>
  poll(probe, { what, timeoutMs });

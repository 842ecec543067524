import { describe, expect, it } from 'vitest';
import { recordDelivery } from '../db/queries/deliveries.js';
import { declaredAccessOf, declaredRolesOf, type Access } from '../http/access.js';
import { routesOf } from '../http/http-api.js';
import { CaseClient } from '../client/case-client.js';
import { QuestionClient } from '../client/question-client.js';
import type { StaffRole } from '../workflows/contracts/task.js';
import { client, db, sealKeys, testApi, withWorker, type TestEngine } from './harness.js';
import { applicantToken, foreignTokens, staffToken, tokens, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';

const STADT = 'stadt-musterstadt';
const DORF = 'gemeinde-beispieldorf';

/** Routes that are served but deliberately left out of the OpenAPI document. */
const UNDOCUMENTED = ['GET /openapi.json'];

/** Who may call what, pinned for the routes where a wrong declaration would leak: a changed declaration must change this. */
const PINNED: Record<string, Access> = {
  'POST /cases': 'public',
  'GET /cases/:caseId': 'case:party',
  'HEAD /cases/:caseId': 'case:party',
  'GET /payments/bookings': 'role:budget_office',
  'HEAD /payments/bookings': 'role:budget_office',
  'POST /payments/webhook': 'webhook',
  'GET /tasks': 'staff',
  'POST /tasks/:taskId/complete': 'staff',
  'POST /cases/:caseId/replies': 'case:applicant',
  'POST /cases/:caseId/evidence/:evidenceType': 'case:applicant',
  'POST /cases/:caseId/questions': 'case:applicant',
  'GET /cases/:caseId/questions/:questionId': 'case:party',
  'POST /cases/:caseId/questions/:questionId/confirmation': 'case:staff',
  'GET /cases/:caseId/evidence-retrievals': 'case:party',
  'GET /applicants/:subject/evidence-retrievals': 'applicant',
};

type Caller = {
  name: string;
  token?: string;
  kind: 'none' | 'invalid' | 'owner' | 'applicant' | 'staff';
  role?: StaffRole;
  authorityId?: string;
};
type Expected = 'admit' | 401 | 403 | 404;

async function callers(owner: string): Promise<Caller[]> {
  const staff = async (name: string, authorityId: string, role: StaffRole): Promise<Caller> => ({
    name,
    token: await staffToken(name, authorityId, role),
    kind: 'staff',
    role,
    authorityId,
  });
  return [
    { name: 'anonymous', kind: 'none' },
    { name: 'owner', token: await applicantToken(owner), kind: 'owner' },
    { name: 'another applicant', token: await applicantToken('pseudonym-somebody-else'), kind: 'applicant' },
    await staff('case worker', STADT, 'case_worker'),
    await staff('case worker of another authority', DORF, 'case_worker'),
    await staff('supervisor', STADT, 'supervisor'),
    await staff('operator', STADT, 'operator'),
    await staff('budget office', STADT, 'budget_office'),
    {
      name: 'expired',
      token: await tokens.sign({ role: 'supervisor', subject: 'sv.alt', authorityId: STADT }, '-1m'),
      kind: 'invalid',
    },
    {
      name: 'forged',
      token: await foreignTokens.sign({ role: 'supervisor', subject: 'sv.chef', authorityId: STADT }),
      kind: 'invalid',
    },
  ];
}

/** What the declared access promises this caller on this route; handlers narrow further by authority or subject. */
function expected(access: Access, route: string, c: Caller, roles?: readonly StaffRole[]): Expected {
  if (c.kind === 'invalid') return 401;
  // A staff role the route is not for is refused before any case or task is looked at.
  if (c.kind === 'staff' && roles && !roles.includes(c.role!)) return 403;
  if (access === 'public') return 'admit';
  // The webhook's own signature is its authentication; no bearer token stands in for it.
  if (access === 'webhook') return 401;
  if (c.kind === 'none') return 401;
  const applicant = c.kind === 'owner' || c.kind === 'applicant';
  const ownAuthority = c.authorityId === STADT;
  switch (access) {
    case 'applicant':
      return !applicant ? 403 : route.includes(':subject') && c.kind !== 'owner' ? 404 : 'admit';
    case 'staff':
      return applicant ? 403 : route.includes(':taskId') && !ownAuthority ? 404 : 'admit';
    case 'role:supervisor':
    case 'role:operator':
    case 'role:budget_office':
      return applicant || c.role !== access.slice('role:'.length) ? 403 : 'admit';
    case 'case:party':
      return c.kind === 'owner' || (!applicant && ownAuthority) ? 'admit' : 404;
    case 'case:applicant':
      return c.kind === 'owner' ? 'admit' : !applicant && ownAuthority ? 403 : 404;
    case 'case:staff':
      return !applicant && ownAuthority ? 'admit' : c.kind === 'owner' ? 403 : 404;
  }
}

async function fullApi(e: TestEngine) {
  return testApi(e.cases, {
    verification: { db, documents: e.deps.documents, sealKeys },
    evidence: { db, documents: e.deps.documents, uploadMaxBytes: 1024 * 1024 },
    payments: { db, webhookSecret: 'whsec_dGVzdA==' },
    assistant: { questions: new QuestionClient(client, e.taskQueue) },
  });
}

describe('access that refuses by default', () => {
  it('answers every route × method (HEAD included) × caller as the route declares', async () => {
    await withWorker(async (e) => {
      const api = await fullApi(e);
      await api.ready();
      const submission = applicationOf('company_car', 4);
      const { caseId } = await e.cases.submit(submission);
      const taskId = `${caseId}:review`;
      await waitFor('the task', async () => (await e.tasks.find(taskId)) !== undefined);
      const { questionId } = await new QuestionClient(client, e.taskQueue).ask(caseId, {
        recipient: submission.identity.subject,
        question: 'Wie lange dauert es noch?',
      });
      // A document delivered to the owner, so the download route admits them with 200.
      const delivered = await e.deps.documents.put(Buffer.from('%PDF-1.7 access matrix'), 'application/pdf');
      await recordDelivery(db, {
        idempotencyKey: `matrix:${caseId}`,
        deliveryId: `matrix-${caseId}`,
        caseId,
        recipient: submission.identity.subject,
        channel: 'email',
        subject: 'Bescheid',
        documentSha256: delivered.sha256,
      });
      const values: Record<string, string> = {
        caseId,
        taskId,
        questionId,
        subject: submission.identity.subject,
        serviceKey: 'company_car',
        sealId: '0'.repeat(32),
        evidenceType: 'employment_contract',
        sha256: delivered.sha256,
      };

      // Every route the server answers is in the matrix: the documented ones, their HEADs and the known undocumented ones.
      const declared = declaredAccessOf(api);
      const documented = routesOf(api);
      const served = [...declared.keys()];
      expect(served.filter((r) => !r.startsWith('HEAD ')).sort()).toEqual([...documented, ...UNDOCUMENTED].sort());
      for (const r of served.filter((r) => r.startsWith('GET ')))
        expect(declared.get(`HEAD ${r.slice(4)}`)).toBe(declared.get(r));
      expect(served.length).toBeGreaterThan(25);
      expect(Object.fromEntries(Object.keys(PINNED).map((r) => [r, declared.get(r)]))).toEqual(PINNED);
      // The document tells clients the same: a bearer token on exactly the routes that need one, `security: []` (none)
      // declared on every other.
      const doc = (await api.inject({ url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, { security?: unknown }>>;
      };
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const access = declared.get(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)!;
          expect([path, method, op.security]).toEqual([
            path,
            method,
            access === 'public' || access === 'webhook' ? [] : [{ bearer: [] }],
          ]);
        }
      }

      const who = await callers(submission.identity.subject);
      const mismatches: string[] = [];
      let checked = 0;
      const outcomes = { admitted: 0, refused: 0 };
      for (const [route, access] of declared) {
        const [method, path] = route.split(' ') as ['GET' | 'HEAD' | 'POST', string];
        const url = path.replace(/:(\w+)/g, (_, name: string) => {
          if (!values[name]) throw new Error(`no value for :${name} in ${route}: add one to the matrix`);
          return encodeURIComponent(values[name]);
        });
        for (const c of who) {
          // A body no route accepts: an admitted caller gets a validation error, so the matrix changes no case.
          const res = await api.inject({
            method,
            url:
              method === 'GET' || method === 'HEAD'
                ? url + (path.startsWith('/services/search') ? '?q=auto' : '')
                : url,
            ...(method === 'POST' && { payload: '[]', headers: { 'content-type': 'application/json' } }),
            headers: {
              ...(method === 'POST' && { 'content-type': 'application/json' }),
              ...(c.token && { authorization: `Bearer ${c.token}` }),
            },
          });
          const want = expected(access, route, c, declaredRolesOf(api).get(route));
          const got = res.statusCode;
          const ok =
            got < 500 &&
            (want === 'admit' ? ![401, 403, 404].includes(got) || (access === 'public' && got === 404) : got === want);
          outcomes[want === 'admit' ? 'admitted' : 'refused']++;
          if (!ok)
            mismatches.push(
              `${route} as ${c.name} (${access}): expected ${want}, got ${got} ${res.body.slice(0, 120)}`,
            );
          if (got >= 400 && method !== 'HEAD')
            expect([route, c.name, res.headers['content-type']]).toEqual([
              route,
              c.name,
              expect.stringContaining('application/problem+json'),
            ]);
          checked++;
        }
      }
      expect(mismatches).toEqual([]);
      expect(checked).toBe(served.length * who.length);
      expect(outcomes.admitted).toBeGreaterThan(100);
      expect(outcomes.refused).toBeGreaterThan(200);
      // The matrix changed nothing: the case still waits for its case worker, the task unclaimed.
      expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');
      expect((await e.tasks.find(taskId))?.assignee ?? null).toBeNull();

      // What the applicant sees while a case worker holds the task: no task, no name, no escalation reason, no draft.
      const anna = who.find((c) => c.name === 'case worker')!.token!;
      const owner = who.find((c) => c.name === 'owner')!.token!;
      const as = async (token: string, url: string) =>
        (await api.inject({ url, headers: { authorization: `Bearer ${token}` } })).json() as Record<string, unknown>;
      expect(
        (
          await api.inject({
            method: 'POST',
            url: `/tasks/${taskId}/claim`,
            payload: {},
            headers: { authorization: `Bearer ${anna}` },
          })
        ).statusCode,
      ).toBe(200);
      // A justification the Bescheid could not print is refused before it reaches the case.
      const unprintable = await api.inject({
        method: 'POST',
        url: `/tasks/${taskId}/complete`,
        payload: { outcome: 'approve', justification: 'Passt 👍' },
        headers: { authorization: `Bearer ${anna}` },
      });
      expect(unprintable.statusCode).toBe(400);
      const staffView = await as(anna, `/cases/${caseId}`);
      expect(staffView).toMatchObject({
        task: { assignee: 'case worker', reason: expect.any(String) },
        decision: { outcome: 'escalate' },
      });
      const ownerView = await as(owner, `/cases/${caseId}`);
      expect(ownerView).toMatchObject({ caseId, status: 'awaiting_case_worker' });
      expect(Object.keys(ownerView)).not.toEqual(expect.arrayContaining(['task']));
      expect(ownerView['decision']).toBeUndefined();
      const ownerJson = JSON.stringify(ownerView);
      for (const internal of [
        'case worker',
        (staffView['task'] as { reason: string }).reason,
        'firedRules',
        'candidateGroup',
      ])
        expect(ownerJson).not.toContain(internal);
      const question = `/cases/${caseId}/questions/${questionId}`;
      const staffQuestion = await waitFor('the draft or its failure', async () => {
        const q = await as(anna, question);
        return q['draft'] !== undefined || q['draftFailed'] !== undefined ? q : undefined;
      });
      expect(staffQuestion).toMatchObject({ questionId });
      const ownerQuestion = await as(owner, question);
      expect(ownerQuestion).toMatchObject({ questionId, status: staffQuestion['status'] });
      expect(Object.keys(ownerQuestion)).not.toEqual(expect.arrayContaining(['draft']));
      expect(Object.keys(ownerQuestion)).not.toEqual(expect.arrayContaining(['draftFailed']));
      await client.workflow.getHandle(`case:${caseId}`).terminate('test done');
    });
  });

  it('limits the public routes per client and sends security headers on every answer', async () => {
    const api = await testApi(new CaseClient(client, db), {
      security: { publicMax: 3, publicWindowMs: 60_000 },
      assistant: {},
    });
    const search = () => api.inject({ url: '/services/search?q=parken' });
    const intake = () =>
      api.inject({ method: 'POST', url: '/cases', payload: '[]', headers: { 'content-type': 'application/json' } });
    for (let i = 0; i < 3; i++) {
      expect((await search()).statusCode).toBe(200);
      expect((await intake()).statusCode).toBe(400);
    }
    for (const limited of [await search(), await intake()]) {
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json()).toMatchObject({ status: 429 });
    }
    // Each route counts on its own, and the health probe is never limited.
    expect((await api.inject({ url: '/services' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await api.inject({ url: '/health' })).statusCode).toBe(200);

    // Behind a trusted proxy each forwarded client counts on its own.
    const proxied = await testApi(new CaseClient(client, db), {
      security: { publicMax: 1, publicWindowMs: 60_000, trustProxy: ['127.0.0.1'] },
      assistant: {},
    });
    const from = (ip: string) =>
      proxied.inject({ url: '/services/search?q=parken', headers: { 'x-forwarded-for': ip } });
    expect([
      (await from('203.0.113.7')).statusCode,
      (await from('203.0.113.8')).statusCode,
      (await from('203.0.113.7')).statusCode,
    ]).toEqual([200, 200, 429]);

    for (const res of [
      await api.inject({ url: '/health' }),
      await api.inject({ url: '/cases/00000000-0000-4000-8000-000000000000' }),
      await search(),
    ]) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toContain('max-age=');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });

  it('refuses to start with routes that do not say who may call them (and staff routes that name no roles), naming every one', async () => {
    await withWorker(async (e) => {
      const api = await fullApi(e);
      api.get('/forgotten', async () => ({}));
      api.post('/also-forgotten', { config: { access: 'everyone' as never } }, async () => ({}));
      api.get('/declared', { config: { access: 'staff', roles: ['case_worker'] } }, async () => ({}));
      // A route for staff must also say which staff roles: no row in the matrix, no start.
      api.get('/no-role-row', { config: { access: 'case:staff' } }, async () => ({}));
      const started = await api.ready().then(
        () => 'started',
        (err: Error) => err.message,
      );
      expect(started).toContain('GET /forgotten');
      expect(started).toContain('HEAD /forgotten');
      expect(started).toContain('POST /also-forgotten');
      expect(started).not.toContain('/declared');
      expect(started).toMatch(/must declare config\.roles .*GET \/no-role-row/);
    });
  });
});

import { randomBytes } from 'node:crypto';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TaskClient } from '../client/task-client.js';
import { CaseClient } from '../client/case-client.js';
import { DEV_ACTOR_SIGNING_KEY } from '../platform/config.js';
import { actorPublicKey, signActorAssertion } from '../workflows/contracts/actor-assertion.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { taskActionUpdate } from '../workflows/contracts/messages.js';
import type { TaskAction } from '../workflows/contracts/task.js';
import { client, db, publicBaseUrl, startBypassingIntake, testDeps, withWorker, workerOn } from './harness.js';
import { CASE_FILE_PANELS, MANUAL_DELIVERY_ROLES, PANEL_ROLES } from '../http/workbench/case-file.js';
import { DELIVERY_CHANNELS } from '../http/workbench/manual-tasks.js';
import { STAFF_ROLES, type StaffRole } from '../workflows/contracts/task.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { testKeyRing } from './support/codec.js';
import { AesGcmCodec } from '../platform/codec/aes-gcm-codec.js';
import { startCodecServer } from '../platform/codec/server.js';
import { codecCallerVerifier, jwtVerifier } from '../platform/auth/tokens.js';
import { idp, staffToken, tokenAudience, tokens } from './http-helpers.js';
import { buildHttpApi } from '../http/http-api.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { CaseFiles } from '../http/workbench/index.js';
import { findTask } from '../db/queries/tasks.js';
import { randomUUID } from 'node:crypto';

// Temporal is a trust boundary: whoever reaches its frontend can send updates, so a case worker's action is accepted
// only with an assertion signed by the API that authenticated the person. The worker here trusts a key of this test's
// own; the attacker has the Temporal address, and in the second case the payload keys too, but not the signing key.

const apiKey = randomBytes(32).toString('hex');

/** The update failure's type and message, or 'accepted'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
      return `${err.cause.type}: ${err.cause.message}`;
    // Without the codec the refusal's reason is encrypted like every failure message: refused, unreadable.
    if ((err as Error).message.includes('Unknown encoding: binary/encrypted')) return 'refused, reason encrypted';
    throw err;
  }
}

async function withCaseAwaitingCaseWorker(
  fn: (c: { caseId: string; taskId: string; authorityId: string; tasks: TaskClient }) => Promise<void>,
) {
  const taskQueue = `trust-${randomUUID()}`;
  const worker = await workerOn(taskQueue, testDeps(), { actorKeys: [actorPublicKey(apiKey)] });
  await worker.runUntil(async () => {
    const cases = new CaseClient(client, db, taskQueue);
    const caseId = await startBypassingIntake(taskQueue, applicationOf('company_car'));
    const { openTaskId, authorityId } = await waitFor(
      async () => {
        const s = await cases.status(caseId);
        return s.openTaskId !== undefined && (await findTask(db, { taskId: s.openTaskId })) !== undefined && s;
      },
      { timeoutMs: 30_000, what: 'the open task in the inbox' },
    );
    await fn({ caseId, taskId: openTaskId!, authorityId, tasks: new TaskClient(client, db, apiKey) });
  });
}

const mallory = (authorityId: string) => ({ id: 'mallory', role: 'supervisor' as const, authorityId });

describe('Temporal as a trust boundary: who acts on a case is signed by the API', () => {
  it('a forged `taskAction` is refused with and without the codec; the inbox shows nobody acting', async () => {
    await withCaseAwaitingCaseWorker(async ({ caseId, taskId, authorityId, tasks }) => {
      const claim: TaskAction = { action: 'claim', taskId, actor: mallory(authorityId) };
      // Without the codec: a plain Temporal client, as `temporal workflow update execute --name taskAction` is.
      const plain = new Client({ connection: client.connection, namespace: 'default' });
      const send = (c: Client, a: TaskAction) =>
        c.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(taskActionUpdate, { args: [a] });

      expect(await outcome(send(plain, claim))).toBe('refused, reason encrypted');
      expect(await outcome(send(client, claim))).toMatch(/^forbidden: .*no valid signed assertion.*\(none given\)/);
      // With the codec (the attacker holds the payload keys) and an assertion signed by a key of its own.
      const forged = signActorAssertion(randomBytes(32).toString('hex'), caseId, claim, Date.now());
      expect(await outcome(send(client, { ...claim, assertion: forged }))).toMatch(/not signed by a trusted key/);
      // The demo's key is public: a worker configured with its own key does not trust it.
      const demo = signActorAssertion(DEV_ACTOR_SIGNING_KEY, caseId, claim, Date.now());
      expect(await outcome(send(client, { ...claim, assertion: demo }))).toMatch(/not signed by a trusted key/);

      // A genuine assertion cannot be reused for another person, another action, another task or after it expired.
      const anna = { id: 'sb.anna', role: 'case_worker' as const, authorityId };
      const annasClaim = signActorAssertion(apiKey, caseId, { action: 'claim', taskId, actor: anna }, Date.now());
      expect(await outcome(send(client, { ...claim, assertion: annasClaim }))).toMatch(/another person/);
      const approve: TaskAction = { action: 'complete', taskId, actor: anna, outcome: 'approve', justification: 'ok' };
      expect(await outcome(send(client, { ...approve, assertion: annasClaim }))).toMatch(/another person/);
      const stale = signActorAssertion(apiKey, caseId, { action: 'claim', taskId, actor: anna }, Date.now() - 120_000);
      expect(await outcome(send(client, { action: 'claim', taskId, actor: anna, assertion: stale }))).toMatch(
        /expired/,
      );

      const row = await findTask(db, { taskId });
      expect(row).toMatchObject({ state: 'open', assignee: null });

      // The API's own client signs, and the same worker accepts it.
      const view = await tasks.act(caseId, { action: 'claim', taskId, actor: anna });
      expect(view).toMatchObject({ state: 'claimed', assignee: 'sb.anna' });
      await waitFor(async () => (await findTask(db, { taskId }))?.assignee === 'sb.anna', { what: 'the inbox row' });
    });
  });

  it('the production codec server refuses to decode a payload that was written without the codec', async () => {
    const server = await startCodecServer({
      codec: new AesGcmCodec(testKeyRing, { requireEncryption: true }),
      auth: codecCallerVerifier(tokens.keys, tokenAudience),
      corsOrigins: [],
      port: 0,
    });
    try {
      // Payloads under the ring's own key (from before per-authority keys) are for a platform-wide operator.
      const operator = await tokens.sign({ role: 'platform_operator', subject: 'op.lena' });
      const decode = (payload: { metadata: Record<string, string>; data: string }) =>
        fetch(`${server.endpoint}decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${operator}` },
          body: JSON.stringify({ payloads: [payload] }),
        });
      const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');
      const plain = defaultPayloadConverter.toPayload(mallory('stadt-musterstadt'));
      const res = await decode({ metadata: { encoding: b64(plain.metadata!['encoding']!) }, data: b64(plain.data!) });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('not encrypted');
      const [sealed] = await new AesGcmCodec(testKeyRing).encode([plain]);
      const ok = await decode({
        metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, b64(v)])),
        data: b64(sealed!.data!),
      });
      expect(ok.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('API tokens are checked for type and algorithm', () => {
  it('refuses an ID token, a token of another type and a symmetric algorithm from the same issuer', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const verifier = jwtVerifier(createLocalJWKSet({ keys: [jwk] }), tokenAudience);
    const token = (typ: string | undefined, claims: Record<string, unknown> = {}) =>
      new SignJWT({ role: 'operator', authority_id: 'stadt-musterstadt', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...(typ && { typ }) })
        .setSubject('op.lena')
        .setIssuer(tokenAudience.issuer)
        .setAudience(tokenAudience.audience)
        .setExpirationTime('5m')
        .sign(privateKey);
    await expect(verifier.verify(await token('at+jwt'))).resolves.toMatchObject({ role: 'operator' });
    await expect(verifier.verify(await token('JWT'))).resolves.toMatchObject({ role: 'operator' });
    await expect(verifier.verify(await token('logout+jwt'))).rejects.toThrow('not an access token');
    await expect(verifier.verify(await token('JWT', { typ: 'ID' }))).rejects.toThrow('not an access token');
    const hmac = await new SignJWT({ role: 'operator', authority_id: 'stadt-musterstadt' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('op.mallory')
      .setIssuer(tokenAudience.issuer)
      .setAudience(tokenAudience.audience)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a secret anyone could guess, 32+ chars'));
    await expect(verifier.verify(hmac)).rejects.toThrow(/invalid token/);
  });
});

describe('least privilege: who sees which panel of a case file (PANEL_ROLES)', () => {
  it('every role against every panel of a listening API: the budget office and operators never read the application', async () => {
    await withWorker(async (e) => {
      const api = await buildHttpApi({
        cases: e.cases,
        tasks: e.tasks,
        auth: jwtVerifier(tokens.keys, tokenAudience),
        identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
        workbench: { files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }), db },
      });
      const url = await api.listen({ host: '127.0.0.1', port: 0 });
      try {
        const submission = applicationOf('company_car');
        const { caseId } = await e.cases.submit(submission);
        const get = async (path: string, token: string) =>
          (await fetch(`${url}/cases/${caseId}/file/${path}`, { headers: { authorization: `Bearer ${token}` } }))
            .status;
        const own = (role: StaffRole) => staffToken(`${role}.one`, submission.authorityId, role);
        await waitFor(async () => (await get('overview', await own('case_worker'))) === 200, {
          what: 'the case file',
          timeoutMs: 30_000,
        });
        const seen: Record<string, Record<string, number>> = {};
        const expected: Record<string, Record<string, number>> = {};
        for (const role of STAFF_ROLES) {
          const token = await own(role);
          seen[role] = {};
          expected[role] = {};
          for (const panel of CASE_FILE_PANELS) {
            seen[role][panel] = await get(panel, token);
            expected[role][panel] = PANEL_ROLES[panel].includes(role) ? 200 : 403;
          }
          seen[role]['documents'] = await get(`documents/${'0'.repeat(64)}`, token);
          expected[role]['documents'] = PANEL_ROLES.documents.includes(role) ? 404 : 403;
          const delivery = await fetch(`${url}/tasks/${caseId}:delivery/manual-delivery`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ channel: Object.keys(DELIVERY_CHANNELS)[0] }),
          });
          seen[role]['manual delivery'] = delivery.status === 403 ? 403 : 0;
          expected[role]['manual delivery'] = MANUAL_DELIVERY_ROLES.includes(role) ? 0 : 403;
        }
        expect(seen).toEqual(expected);
        // What the issue saw go through: the budget office reading the application with address and plate.
        expect(seen['budget_office']!['application']).toBe(403);
        expect(seen['budget_office']!['payments']).toBe(200);
        expect(seen['operator']!['application']).toBe(403);
        // Recording a delivery by hand needs a case worker; a supervisor is refused too.
        expect(seen['supervisor']!['manual delivery']).toBe(403);
        // Supervisors (and everyone else) of another authority do not see the case at all.
        expect(submission.authorityId).not.toBe('gemeinde-beispieldorf');
        const foreign = await staffToken('sup.other', 'gemeinde-beispieldorf', 'supervisor');
        expect(await get('overview', foreign)).toBe(404);
      } finally {
        await api.close();
      }
    });
  });
});

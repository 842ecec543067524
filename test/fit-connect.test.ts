import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { freePort } from '../dev/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../app/api.js';
import { sealIdentities } from '../app/production-profile.js';
import { loadConfig } from '../platform/config.js';
import { DEMO_SEAL_PASSPHRASE } from '../dev/demo-seal-keys.js';
import { tokenAudience, tokens } from './http-helpers.js';
import { testPayloadKeys } from './support/codec.js';
import { callbackAuthentication, CALLBACK_NEW_SUBMISSIONS, verifyCallback } from '../adapters/fit-connect/callback.js';
import { decryptPart, encryptPart, EVENT, generateDestinationKeys, sha512Hex } from '../adapters/fit-connect/crypto.js';
import { ClientCredentials, FitConnectHttpError, SubmissionApi } from '../adapters/fit-connect/submission-api.js';
import type { CaseClient } from '../client/case-client.js';
import {
  CALLBACK_MAX_SUBMISSIONS,
  CONSENT_FIELD,
  destinationServices,
  fitConnectCaseId,
  FitConnectReceiver,
  fitConnectObjectionSchemaUri,
  fitConnectSchemaUri,
} from '../http/fit-connect/receiver.js';
import type { DocumentStore } from '../adapters/document-store.js';
import { listAkteDocuments } from '../db/queries/akte.js';
import { createTestCa, TestEidService } from '../dev/stand-ins/fit-connect/test-pki.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { startLocalIdentityProvider, type LocalIdentityProvider } from '../dev/identity/local-identity-provider.js';
import { OidcTokenVerifier, type TokenVerifier } from '../platform/identity/token-verifier.js';
import {
  startFitConnectSandbox,
  generateServiceKey,
  type FitConnectSandbox,
} from '../dev/stand-ins/fit-connect/server.js';
import { FitConnectSender, type SendSubmission } from '../dev/stand-ins/fit-connect/sender.js';
import { leikaUrn } from '../services/routing.js';
import { client, dataDir, db, sealKeys, testApi, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { captureLogs, testLogger } from './support/log-capture.js';

// RSA 4096 keys, made once for this file: the destination's pair of pairs, the delivery service's, and a stranger's.
const [keys, deliveryServiceKey, stranger] = await Promise.all([
  generateDestinationKeys(),
  generateServiceKey(),
  generateKeyPair('RSA-OAEP-256', { modulusLength: 4096, extractable: true }),
]);
const destinationId = 'a3c3a8a6-2f4e-4c53-9a55-3e4b9f0d7c11';
const SENDER = { clientId: 'online-service', clientSecret: 'sender-secret' };
const SUBSCRIBER = { clientId: 'destination', clientSecret: 'subscriber-secret' };
const OTHER_DESTINATION = { clientId: 'other-destination', clientSecret: 'other-secret' };
// The test PKI: a CA the receiver trusts, and an eID service whose identification reports chain to it.
const ca = createTestCa();
const anchors = [new X509Certificate(ca.certificatePem)];
const eid = new TestEidService(ca);

let standIn: FitConnectSandbox;
let idp: LocalIdentityProvider;
let sender: FitConnectSender;
let identity: OidcTokenVerifier;
beforeAll(async () => {
  idp = await startLocalIdentityProvider({ host: '127.0.0.1', port: 0, audience: 'ozg-case-engine' });
  identity = new OidcTokenVerifier({ issuer: idp.issuer, audience: 'ozg-case-engine' });
  standIn = await startFitConnectSandbox({
    host: '127.0.0.1',
    port: 0,
    clients: [
      { ...SENDER, role: 'sender' },
      { ...SUBSCRIBER, role: 'subscriber' },
      { ...OTHER_DESTINATION, role: 'subscriber', destinationId: '5a1d0c3e-0000-4000-8000-000000000001' },
    ],
    destinations: [
      {
        destinationId,
        encryptionKey: keys.encryptionPublic,
        signingKey: keys.signingPublic,
        services: destinationServices('stadt-musterstadt'),
      },
    ],
    serviceKey: deliveryServiceKey,
  });
  sender = new FitConnectSender({ baseUrl: standIn.url, tokenUrl: standIn.tokenUrl, ...SENDER });
});
afterAll(async () => {
  await standIn.stop();
  await idp.stop();
});

const subscriberApi = () =>
  new SubmissionApi(standIn.url, new ClientCredentials({ tokenUrl: standIn.tokenUrl, ...SUBSCRIBER }));

const receiverFor = (
  cases: CaseClient,
  o: {
    api?: SubmissionApi;
    eidTrustAnchors?: X509Certificate[];
    idTokens?: TokenVerifier;
    documents?: DocumentStore;
  } = {},
) =>
  new FitConnectReceiver({
    api: o.api ?? subscriberApi(),
    destinationId,
    authorityId: 'stadt-musterstadt',
    encryptionKey: keys.encryptionPrivate,
    signingKey: keys.signingPrivate,
    cases,
    eidTrustAnchors: o.eidTrustAnchors ?? anchors,
    ...(o.idTokens && { idTokens: o.idTokens }),
    ...(o.documents && { documents: o.documents }),
  });

/** A resident's parking permit application as an online service sends it over FIT-Connect. */
async function residentSubmission(nth: number, o: Partial<SendSubmission> = {}) {
  const a = applicationOf('resident', nth);
  const submission: SendSubmission = {
    destinationId,
    serviceIdentifier: leikaUrn(a.serviceKey),
    serviceName: 'Bewohnerparkausweis',
    data: { ...a.application, [CONSENT_FIELD]: a.consent?.evidenceRetrieval ?? false },
    schemaUri: fitConnectSchemaUri(a.serviceKey, '1'),
    identificationReport: await eid.report({ restrictedId: a.identity.subject }),
    ...o,
  };
  return { subject: a.identity.subject, submission };
}

const caseExists = (caseId: string) =>
  client.workflow
    .getHandle(caseWorkflowId(caseId))
    .describe()
    .then(
      () => true,
      (err: Error) => {
        if (err.name === 'WorkflowNotFoundError') return false;
        throw err;
      },
    );

describe('FIT-Connect intake', () => {
  it('round trip: sender → stand-in → receiver → case decided; the sender verifies the accept event and its tags', async () => {
    await withWorker(async (e) => {
      const { submission } = await residentSubmission(0, {
        // Compressed parts (zip: DEF), as one public SDK sends them, and an attachment.
        compress: true,
        attachments: [{ bytes: new TextEncoder().encode('%PDF-1.7 Meldebescheinigung'), mimeType: 'application/pdf' }],
      });
      const sent = await sender.submit(submission);
      const outcomes = await receiverFor(e.cases).poll();
      expect(outcomes).toContainEqual({
        submissionId: sent.submissionId,
        result: 'accepted',
        caseId: fitConnectCaseId(destinationId, sent.submissionId),
        duplicate: false,
      });
      const result = await e.cases.result(fitConnectCaseId(destinationId, sent.submissionId));
      expect(result.outcome).toBe('approved');

      const decision = await waitFor(() => sender.decision(sent.caseId), { what: 'the accept event' });
      expect(decision.event).toBe('accepted');
      expect(decision.set.issuer).toBe(destinationId);
      expect(decision.set.payload['authenticationTags']).toEqual(sent.authenticationTags);
      expect(Object.keys(sent.authenticationTags.attachments)).toHaveLength(1);
      // Every SET in the log verified: the delivery service's with its JWKS, the destination's with its verify key.
      expect((await sender.events(sent.caseId)).map((s) => s.event)).toEqual([
        EVENT.create,
        EVENT.submit,
        EVENT.forward,
        EVENT.accept,
      ]);
      // Accepted submissions leave the pickup list.
      expect((await subscriberApi().listSubmissions(destinationId)).map((s) => s.submissionId)).not.toContain(
        sent.submissionId,
      );
    });
  });

  it("an objection through FIT-Connect: the decided case's applicant objects with an attachment, as through the API; anyone else, and a second objection, are rejected", async () => {
    await withWorker(async (e) => {
      const a = applicationOf('other_zone', 30);
      const { caseId } = await e.cases.submit(a);
      expect((await e.cases.result(caseId)).outcome).toBe('rejected');
      const receiver = receiverFor(e.cases, { documents: e.deps.documents });
      const objection = async (subject: string, o: Partial<SendSubmission> = {}): Promise<SendSubmission> => ({
        destinationId,
        serviceIdentifier: leikaUrn(a.serviceKey),
        serviceName: 'Widerspruch: Bewohnerparkausweis',
        data: { vorgang: caseId, begruendung: 'Ich wohne seit März in der Zone.' },
        schemaUri: fitConnectObjectionSchemaUri(a.serviceKey),
        identificationReport: await eid.report({ restrictedId: subject }),
        ...o,
      });
      const rejection = async (submissionId: string) =>
        (await receiver.poll()).find((r) => r.submissionId === submissionId);

      // Someone else than the applicant: the case does not exist for them.
      const byStranger = await sender.submit(await objection('pseudonym-fremd'));
      expect(await rejection(byStranger.submissionId)).toMatchObject({
        result: 'rejected',
        problems: [expect.objectContaining({ type: expect.stringMatching(/objection-refused$/) })],
      });
      // Data that is no objection: every problem named.
      const malformed = await sender.submit(await objection(a.identity.subject, { data: { vorgang: caseId } }));
      expect(await rejection(malformed.submissionId)).toMatchObject({
        result: 'rejected',
        problems: [expect.objectContaining({ type: expect.stringMatching(/data-schema-violation$/) })],
      });

      const sent = await sender.submit(
        await objection(a.identity.subject, {
          attachments: [
            {
              bytes: new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
              mimeType: 'application/pdf',
              filename: 'meldebescheinigung.pdf',
            },
          ],
        }),
      );
      expect(await rejection(sent.submissionId)).toEqual({
        submissionId: sent.submissionId,
        result: 'accepted',
        caseId,
        duplicate: false,
      });
      expect((await waitFor(() => sender.decision(sent.caseId), { what: 'the accept event' })).event).toBe('accepted');
      expect(await e.cases.objections.find(caseId)).toMatchObject({ stage: 'abhilfe', objector: a.identity.subject });
      const akte = await listAkteDocuments(db, { caseId });
      expect(akte.filter((d) => d.kind === 'objection')).toHaveLength(1);
      expect(akte.find((d) => d.kind === 'upload' && d.title === 'meldebescheinigung.pdf')).toMatchObject({
        mediaType: 'application/pdf',
      });

      // Fetched again (its accept event lost): confirmed, not filed twice.
      expect(await receiver.receive(sent.submissionId)).toMatchObject({ result: 'accepted', caseId, duplicate: true });
      expect((await listAkteDocuments(db, { caseId })).filter((d) => d.kind === 'objection')).toHaveLength(1);
      // A second objection to the same decision is rejected with the reason.
      const again = await sender.submit(await objection(a.identity.subject));
      expect(await rejection(again.submissionId)).toMatchObject({
        result: 'rejected',
        problems: [expect.objectContaining({ detail: 'Gegen diesen Bescheid ist bereits Widerspruch erhoben.' })],
      });
    });
  });

  it("the engine's own ID token counts as authenticationInformation only where configured (FIT_CONNECT_ACCEPT_ID_TOKENS)", async () => {
    await withWorker(async (e) => {
      const token = async (nth: number) => {
        const { subject, submission } = await residentSubmission(nth);
        return { ...submission, identificationReport: await idp.issue({ subject, trustLevel: 'substantial' }) };
      };
      const refused = await sender.submit(await token(7));
      expect(await receiverFor(e.cases).receive(refused.submissionId)).toMatchObject({
        result: 'rejected',
        problems: [{ type: expect.stringContaining('invalid-authentication-info'), instance: 'metadata' }],
      });
      const taken = await sender.submit(await token(8));
      expect(await receiverFor(e.cases, { idTokens: identity }).receive(taken.submissionId)).toMatchObject({
        result: 'accepted',
      });
      expect((await e.cases.result(fitConnectCaseId(destinationId, taken.submissionId))).outcome).toBe('approved');
    });
  });

  it('a submission fetched twice (two receivers at once, and again after acceptance) starts one case', async () => {
    await withWorker(async (e) => {
      const { submission } = await residentSubmission(1);
      const sent = await sender.submit(submission);
      const caseId = fitConnectCaseId(destinationId, sent.submissionId);
      const both = await Promise.all([
        receiverFor(e.cases).receive(sent.submissionId),
        receiverFor(e.cases).receive(sent.submissionId),
      ]);
      expect(both.map((o) => o.result)).toEqual(['accepted', 'accepted']);
      expect(both.map((o) => (o.result === 'accepted' ? o.caseId : '')).filter((id) => id === caseId)).toHaveLength(2);
      expect(both.filter((o) => o.result === 'accepted' && o.duplicate)).toHaveLength(1);
      const again = await receiverFor(e.cases).receive(sent.submissionId);
      expect(again).toEqual({ submissionId: sent.submissionId, result: 'accepted', caseId, duplicate: true });
      await e.cases.result(caseId);
      const runs = await waitFor(
        async () => {
          const found: string[] = [];
          for await (const w of client.workflow.list({ query: `CaseId = "${caseId}"` })) found.push(w.runId);
          return found.length > 0 && found;
        },
        { what: 'the case in visibility' },
      );
      expect(runs).toHaveLength(1);
      const accepts = (await sender.events(sent.caseId)).filter((s) => s.event === EVENT.accept);
      expect(accepts).toHaveLength(1);
    });
  });

  it('a case whose accept event got lost is confirmed on the next fetch, even once the identity report no longer verifies', async () => {
    await withWorker(async (e) => {
      const { submission } = await residentSubmission(4);
      const sent = await sender.submit(submission);
      const caseId = fitConnectCaseId(destinationId, sent.submissionId);
      const unreachable = subscriberApi();
      unreachable.postEvent = () => Promise.reject(new FitConnectHttpError('post event', 503));
      expect(await receiverFor(e.cases, { api: unreachable }).receive(sent.submissionId)).toMatchObject({
        result: 'failed',
      });
      expect(await e.cases.exists(caseId)).toBe(true);
      expect(await sender.decision(sent.caseId)).toBeUndefined();
      // Still listed for pickup: the delivery service holds it until the destination answers.
      expect((await subscriberApi().listSubmissions(destinationId)).map((s) => s.submissionId)).toContain(
        sent.submissionId,
      );
      // No eID service trusted any more (its report would no longer verify): the case is confirmed all the same.
      expect(await receiverFor(e.cases, { eidTrustAnchors: [] }).receive(sent.submissionId)).toEqual({
        submissionId: sent.submissionId,
        result: 'accepted',
        caseId,
        duplicate: true,
      });
      const decision = await waitFor(() => sender.decision(sent.caseId), { what: 'the accept event' });
      expect(decision.event).toBe('accepted');
      expect(decision.set.payload['authenticationTags']).toEqual(sent.authenticationTags);
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
    });
  });

  it('the API process (`npm run api`) runs the receiver when FIT_CONNECT_* is configured: it polls and starts the case', async () => {
    await withWorker(async (e) => {
      const dir = mkdtempSync(join(tmpdir(), 'ozg-fit-'));
      const file = (name: string, content: unknown) => {
        writeFileSync(join(dir, name), JSON.stringify(content));
        return join(dir, name);
      };
      await Promise.all(sealIdentities().map((id) => sealKeys.keyFor(id)));
      const seals = join(dataDir, 'seal');
      const api = await startApi(
        loadConfig({
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          DATABASE_URL: inject('databaseUrl'),
          TASK_QUEUE: e.taskQueue,
          DATA_DIR: dataDir,
          HTTP_PORT: String(await freePort()),
          OIDC_ISSUER: idp.issuer,
          AUTH_JWKS_FILE: file('jwks.json', tokens.jwks),
          AUTH_ISSUER: tokenAudience.issuer,
          AUTH_AUDIENCE: tokenAudience.audience,
          SEAL_DIR: seals,
          SEAL_P12_PASSPHRASE: DEMO_SEAL_PASSPHRASE,
          SEAL_TRUST_ANCHORS: join(seals, 'demo-ca.pem'),
          PAYLOAD_KEYS: testPayloadKeys,
          LOG_FILE: join(dir, 'api.log'),
          FIT_CONNECT_SUBMISSION_URL: standIn.url,
          FIT_CONNECT_TOKEN_URL: standIn.tokenUrl,
          FIT_CONNECT_CLIENT_ID: SUBSCRIBER.clientId,
          FIT_CONNECT_CLIENT_SECRET: SUBSCRIBER.clientSecret,
          FIT_CONNECT_DESTINATION_ID: destinationId,
          FIT_CONNECT_AUTHORITY_ID: 'stadt-musterstadt',
          FIT_CONNECT_ENCRYPTION_KEY_FILE: file('enc.json', keys.encryptionPrivate),
          FIT_CONNECT_SIGNING_KEY_FILE: file('sig.json', keys.signingPrivate),
          FIT_CONNECT_POLL_MS: '200',
          FIT_CONNECT_EID_TRUST_ANCHORS: (() => {
            writeFileSync(join(dir, 'eid-ca.pem'), ca.certificatePem);
            return join(dir, 'eid-ca.pem');
          })(),
        }),
      );
      try {
        const { submission } = await residentSubmission(6);
        const sent = await sender.submit(submission);
        const decision = await waitFor(() => sender.decision(sent.caseId), {
          what: 'the accept event',
          timeoutMs: 30_000,
        });
        expect(decision.event).toBe('accepted');
        const result = await e.cases.result(fitConnectCaseId(destinationId, sent.submissionId));
        expect(result.outcome).toBe('approved');
      } finally {
        await api.stop();
      }
    });
  });

  it("the delivery service's callback reaches the engine's API, which fetches at once (no poll); its log lines carry ids, no personal data", async () => {
    await withWorker(async (e) => {
      const secret = randomBytes(32).toString('hex');
      let receiver: FitConnectReceiver | undefined;
      // The API listens first (the stand-in needs the callback address), the receiver follows the stand-in.
      const api = await testApi(e.cases, {
        fitConnect: {
          callbackSecret: secret,
          onNewSubmissions: (ids) => receiver!.announce(ids),
        },
      });
      await api.listen({ host: '127.0.0.1', port: 0 });
      const apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      const withCallback = await startFitConnectSandbox({
        host: '127.0.0.1',
        port: 0,
        clients: [
          { ...SENDER, role: 'sender' },
          { ...SUBSCRIBER, role: 'subscriber' },
        ],
        destinations: [
          {
            destinationId,
            encryptionKey: keys.encryptionPublic,
            signingKey: keys.signingPublic,
            callback: { url: `${apiUrl}/fit-connect/callback`, secret },
          },
        ],
        serviceKey: deliveryServiceKey,
      });
      const stopCapture = captureLogs();
      try {
        receiver = new FitConnectReceiver({
          api: new SubmissionApi(
            withCallback.url,
            new ClientCredentials({ tokenUrl: withCallback.tokenUrl, ...SUBSCRIBER }),
          ),
          destinationId,
          authorityId: 'stadt-musterstadt',
          encryptionKey: keys.encryptionPrivate,
          signingKey: keys.signingPrivate,
          cases: e.cases,
          eidTrustAnchors: anchors,
          logger: testLogger,
        });
        const callbackSender = new FitConnectSender({
          baseUrl: withCallback.url,
          tokenUrl: withCallback.tokenUrl,
          ...SENDER,
        });
        const { subject, submission } = await residentSubmission(3);
        const sent = await callbackSender.submit(submission);
        const decision = await waitFor(() => callbackSender.decision(sent.caseId), { what: 'the accept event' });
        expect(decision.event).toBe('accepted');
        const result = await e.cases.result(fitConnectCaseId(destinationId, sent.submissionId));
        expect(result.outcome).toBe('approved');
        const lines = stopCapture();
        expect(lines.filter((l) => l.includes(sent.submissionId)).length).toBeGreaterThan(0);
        const a = applicationOf('resident', 3);
        const address = a.application['address'] as { street: string };
        for (const value of [a.application['licensePlate'] as string, address.street, subject])
          expect(lines.filter((l) => l.includes(value))).toEqual([]);
      } finally {
        stopCapture();
        await withCallback.stop();
        await api.close();
      }
    });
  });

  const strangerKey = async (): Promise<JWK> => ({
    ...(await exportJWK(stranger.publicKey)),
    // The destination's kid, so the receiver really tries (and fails) to unwrap the key.
    kid: keys.encryptionPublic.kid,
    alg: 'RSA-OAEP-256',
    key_ops: ['wrapKey'],
  });
  const brokenJwe = async (data: unknown) => {
    const jwe = await encryptPart(JSON.stringify(data), keys.encryptionPublic);
    const parts = jwe.split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 0xff;
    parts[3] = ciphertext.toString('base64url');
    return parts.join('.');
  };

  const rejections: Array<{
    reason: string;
    problem: string;
    instance: string;
    change: (s: SendSubmission) => Promise<Partial<SendSubmission>>;
  }> = [
    {
      reason: 'encrypted for another key',
      problem: 'encryption-issue',
      instance: 'metadata',
      change: async () => ({ tamper: { encryptionKey: await strangerKey() } }),
    },
    {
      reason: 'a broken JWE (ciphertext altered)',
      problem: 'encryption-issue',
      instance: 'data',
      change: async (s) => ({ tamper: { encryptedData: await brokenJwe(s.data) } }),
    },
    {
      reason: 'metadata that do not follow the metadata schema',
      problem: 'metadata-schema-violation',
      instance: 'metadata',
      change: async () => ({
        tamper: {
          metadata: (m) => ({
            ...m,
            replyChannel: { eMail: { address: 'a@example.de' }, fink: { finkPostfachRef: 'x' } },
          }),
        },
      }),
    },
    {
      reason: 'a data hash that does not match',
      problem: 'hash-mismatch',
      instance: 'data',
      change: async () => ({ tamper: { dataHash: sha512Hex('something else') } }),
    },
    {
      reason: "data against the service's application schema",
      problem: 'data-schema-violation',
      instance: 'data',
      change: async () => ({ data: { zone: 'Z9', [CONSENT_FIELD]: true } }),
    },
    {
      reason: 'an unknown service',
      problem: 'unsupported-service',
      instance: 'submission',
      change: async () => ({ serviceIdentifier: leikaUrn('99999999999999') }),
    },
  ];

  for (const r of rejections) {
    it(`rejects ${r.reason}: reject event with the reason, no case, the submission stays visible`, async () => {
      await withWorker(async (e) => {
        const { submission } = await residentSubmission(2);
        const sent = await sender.submit({ ...submission, ...(await r.change(submission)) });
        const outcome = await receiverFor(e.cases).receive(sent.submissionId);
        expect(outcome.result).toBe('rejected');
        const decision = await waitFor(() => sender.decision(sent.caseId), { what: 'the reject event' });
        expect(decision.event).toBe('rejected');
        // Among every problem of the submission (a part encrypted for another key fails for metadata and data alike).
        expect(decision.problems).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              type: `https://schema.fitko.de/fit-connect/events/problems/${r.problem}`,
              instance: r.instance,
              title: expect.any(String),
              detail: expect.any(String),
            }),
          ]),
        );
        expect(await caseExists(fitConnectCaseId(destinationId, sent.submissionId))).toBe(false);
        // Nothing lost: the delivery service still holds the submission, marked rejected, with its event log.
        const stored = await subscriberApi().getSubmission(sent.submissionId);
        expect(stored.encryptedMetadata.split('.')).toHaveLength(5);
        const overview = (await standIn.overview()).find((s) => s.submissionId === sent.submissionId);
        expect(overview).toMatchObject({ status: 'rejected' });
        expect(overview!.events.map((x) => x.event)).toEqual([EVENT.create, EVENT.submit, EVENT.forward, EVENT.reject]);
      });
    });
  }

  it("the stand-in lets only the destination's own subscriber pick up, and no one without a token", async () => {
    const { submission } = await residentSubmission(5);
    const sent = await sender.submit(submission);
    const as = (c: { clientId: string; clientSecret: string }) =>
      new SubmissionApi(standIn.url, new ClientCredentials({ tokenUrl: standIn.tokenUrl, ...c }));
    for (const c of [OTHER_DESTINATION, SENDER]) {
      await expect(as(c).listSubmissions(destinationId)).rejects.toMatchObject({ status: 403 });
      await expect(as(c).getSubmission(sent.submissionId)).rejects.toMatchObject({ status: 403 });
    }
    expect((await fetch(`${standIn.url}/v1/submissions/${sent.submissionId}`)).status).toBe(401);
    await expect(as({ ...SUBSCRIBER, clientSecret: 'wrong' }).listSubmissions(destinationId)).rejects.toMatchObject({
      what: 'token',
      status: 401,
    });
    // Picked up by nobody yet: its own destination still sees it, then rejects it so later tests start from an empty list.
    expect((await subscriberApi().listSubmissions(destinationId)).map((s) => s.submissionId)).toContain(
      sent.submissionId,
    );
    await withWorker(async (e) => {
      const rejected = await receiverFor(e.cases, { eidTrustAnchors: [] }).receive(sent.submissionId);
      expect(rejected).toMatchObject({ result: 'rejected', problems: [{ instance: 'metadata' }] });
    });
  });

  it('decrypts parts with and without zip, and refuses another algorithm', async () => {
    for (const compress of [false, true]) {
      const jwe = await encryptPart('{"a":1}', keys.encryptionPublic, { compress });
      expect(new TextDecoder().decode(await decryptPart(jwe, keys.encryptionPrivate))).toBe('{"a":1}');
    }
    await expect(decryptPart('eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0....', keys.encryptionPrivate)).rejects.toThrow(
      /unsupported algorithms/,
    );
  });
});

describe('FIT-Connect callback', () => {
  const secret = randomBytes(32).toString('hex');
  const body = JSON.stringify({
    type: CALLBACK_NEW_SUBMISSIONS,
    submissions: [{ destinationId, submissionId: '0f6a4c1e-5b7d-4e0a-9c3b-2d1e8f7a6b5c', caseId: 'c' }],
  });
  const now = () => String(Math.floor(Date.now() / 1000));

  const post = async (headers: Record<string, string>, payload = body) => {
    const announced: string[] = [];
    const app = await testApi({} as CaseClient, {
      fitConnect: { callbackSecret: secret, onNewSubmissions: (ids) => announced.push(...ids) },
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/fit-connect/callback',
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });
      return { status: res.statusCode, json: res.json() as { accepted?: number; detail?: string }, announced };
    } finally {
      await app.close();
    }
  };

  it('accepts a callback with a matching HMAC and a fresh timestamp, and hands its submissions to the receiver', async () => {
    const ts = now();
    const res = await post({
      'callback-timestamp': ts,
      'callback-authentication': callbackAuthentication(secret, ts, body),
    });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(1);
    expect(res.announced).toEqual(['0f6a4c1e-5b7d-4e0a-9c3b-2d1e8f7a6b5c']);
  });

  it.each([
    ['another secret', () => ({ ts: now(), key: 'not-the-secret', payload: body })],
    ['a timestamp older than five minutes', () => ({ ts: String(Number(now()) - 301), key: secret, payload: body })],
    ['a body changed after signing', () => ({ ts: now(), key: secret, payload: body.replace('0f6a', '1f6a') })],
  ])('refuses a callback signed with %s (401, nothing fetched)', async (_name, make) => {
    const { ts, key, payload } = make();
    const res = await post(
      { 'callback-timestamp': ts, 'callback-authentication': callbackAuthentication(key, ts, body) },
      payload,
    );
    expect(res.status).toBe(401);
    expect(res.announced).toEqual([]);
  });

  it('refuses a callback without its headers', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.announced).toEqual([]);
  });

  it('de-duplicates announced submissions and bounds the work per callback (the poll picks up the rest)', async () => {
    const fetched: string[] = [];
    const api = subscriberApi();
    api.getSubmission = (id: string) => {
      fetched.push(id);
      return Promise.reject(new FitConnectHttpError('get submission', 503));
    };
    const receiver = receiverFor({} as CaseClient, { api });
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    expect(receiver.announce([id(1), id(1), id(2)])).toBe(2);
    // The same callback again (the delivery service retries): nothing is fetched twice.
    expect(receiver.announce([id(1), id(2)])).toBe(0);
    const many = Array.from({ length: CALLBACK_MAX_SUBMISSIONS + 20 }, (_, n) => id(100 + n));
    expect(receiver.announce(many)).toBe(CALLBACK_MAX_SUBMISSIONS);
    await waitFor(() => fetched.length === CALLBACK_MAX_SUBMISSIONS + 2, { what: 'every announced fetch' });
    expect(new Set(fetched).size).toBe(fetched.length);
    // Once its fetch is over and ten minutes have passed, the same id may be announced again.
    await receiver.stop();
    expect(receiver.announce([id(1)], Date.now() + 11 * 60_000)).toBe(1);
    await receiver.stop();
  });

  it('compares in constant time over the whole hex HMAC, and the five-minute window is inclusive', () => {
    const ts = '1000000';
    const mac = callbackAuthentication(secret, ts, body);
    expect(verifyCallback(secret, { authentication: mac, timestamp: ts }, body, 1000000 + 300)).toEqual({ ok: true });
    expect(verifyCallback(secret, { authentication: mac.slice(0, 64), timestamp: ts }, body, 1000000)).toMatchObject({
      ok: false,
    });
    expect(verifyCallback(secret, { authentication: mac.toUpperCase(), timestamp: ts }, body, 1000000)).toEqual({
      ok: true,
    });
  });
});

import { X509Certificate } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDestinationKeys } from '../adapters/fit-connect/crypto.js';
import { DECLARED_METADATA_VERSIONS } from '../adapters/fit-connect/metadata.js';
import { ReplyChannelPostbox, ReplyChannelStatus, type ReplyMail } from '../adapters/fit-connect/reply-channel.js';
import { DatabaseSubmissionFacts } from '../adapters/fit-connect/submission-facts.js';
import { ClientCredentials, SubmissionApi } from '../adapters/fit-connect/submission-api.js';
import { checkKeyChain } from '../app/fit-connect.js';
import type { CaseClient } from '../client/case-client.js';
import { payments } from '../db/schema.js';
import { listTasksOfCase } from '../db/queries/tasks.js';
import { createTestCa, TestEidService, withX5c } from '../dev/stand-ins/fit-connect/test-pki.js';
import {
  generateServiceKey,
  startFitConnectSandbox,
  type FitConnectSandbox,
} from '../dev/stand-ins/fit-connect/server.js';
import { destinationServices, fitConnectCaseId, FitConnectReceiver } from '../http/fit-connect/receiver.js';
import { assessSubmission } from '../services/assess-submission.js';
import { findService, ruleSetVersionOn } from '../services/catalogue.js';
import { db, testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { SpecSender } from './fit-connect-spec-sender/sender.js';

// A portal's view: a sender written from the published specification only (test/fit-connect-spec-sender/), the
// delivery service stand-in, an eID service stand-in signing identification reports, and the engine's receiver.
const ca = createTestCa();
const anchors = [new X509Certificate(ca.certificatePem)];
const eid = new TestEidService(ca);
const [keys, deliveryServiceKey] = await Promise.all([generateDestinationKeys(), generateServiceKey()]);
const destinationId = '7c0e5a54-3b1f-4c2a-8e7d-2f9b6a1d0e42';
const AUTHORITY = 'stadt-musterstadt';
const SENDER = { clientId: 'portal', clientSecret: 'portal-secret' };
const SUBSCRIBER = { clientId: 'engine', clientSecret: 'engine-secret' };
const encryptionPrivate = withX5c(ca, keys.encryptionPrivate, 'Ziel (Verschlüsselung)');
const signingPrivate = withX5c(ca, keys.signingPrivate, 'Ziel (Signatur)');

let standIn: FitConnectSandbox;
let portal: SpecSender;
beforeAll(async () => {
  standIn = await startFitConnectSandbox({
    host: '127.0.0.1',
    port: 0,
    clients: [
      { ...SENDER, role: 'sender' },
      { ...SUBSCRIBER, role: 'subscriber', destinationId },
    ],
    destinations: [
      {
        destinationId,
        encryptionKey: withX5c(ca, keys.encryptionPublic, 'Ziel (Verschlüsselung)'),
        signingKey: withX5c(ca, keys.signingPublic, 'Ziel (Signatur)'),
        services: destinationServices(AUTHORITY),
        metadataVersions: DECLARED_METADATA_VERSIONS,
      },
    ],
    serviceKey: deliveryServiceKey,
  });
  portal = new SpecSender({
    submissionApi: standIn.url,
    tokenUrl: standIn.tokenUrl,
    ...SENDER,
    trustedCa: ca.certificatePem,
  });
});
afterAll(() => standIn.stop());

const facts = new DatabaseSubmissionFacts(db);
/** The engine's receiver for the destination, with the test CA as the trusted eID services' anchor. */
const receiver = (cases: CaseClient) =>
  new FitConnectReceiver({
    api: new SubmissionApi(standIn.url, new ClientCredentials({ tokenUrl: standIn.tokenUrl, ...SUBSCRIBER })),
    destinationId,
    authorityId: AUTHORITY,
    encryptionKey: encryptionPrivate,
    signingKey: signingPrivate,
    cases,
    eidTrustAnchors: anchors,
    facts,
  });

/** A resident's parking permit: the application exactly as the published data schema has it, and a signed report. */
async function resident(nth: number) {
  const a = applicationOf('resident', nth);
  return {
    a,
    data: { ...a.application, einwilligungNachweisabruf: true },
    report: await eid.report(
      { restrictedId: a.identity.subject, givenName: 'Erika', familyName: 'Mustermann' },
      { levelOfAssurance: 'http://eidas.europa.eu/LoA/substantial' },
    ),
  };
}

/** The fee the rules ask for this application today (the rule set in force decides). */
async function feeOf(a: ReturnType<typeof applicationOf>) {
  const service = findService(a.serviceKey);
  const submittedAt = new Date().toISOString();
  const r = await assessSubmission({
    ...a,
    schemaVersion: service.currentSchemaVersion,
    ruleSetVersion: ruleSetVersionOn(service, submittedAt.slice(0, 10)),
    submittedAt,
  });
  if (r.refusal) throw new Error(r.refusal.message);
  return r.plan.feeCents;
}

const feeRows = (caseId: string) => db.select().from(payments).where(eq(payments.caseId, caseId));

describe('FIT-Connect as a portal sends it (a sender written from the published specification)', () => {
  it('the destination publishes its services with their data schemas, and keys with x5c chains to the CA', async () => {
    const d = await portal.destination(destinationId);
    expect(d.services.map((s) => s.identifier)).toContain('urn:de:fim:leika:leistung:99050012104000');
    expect(d.metadataVersions).toEqual(expect.arrayContaining(['1.0.0', '1.2.0']));
    expect(portal.encryptionKeyOf(d).kid).toBe(keys.encryptionPublic.kid);
    // The receiver checks its own keys the same way; a key certified by another CA is refused.
    expect(() => checkKeyChain(encryptionPrivate, anchors, 'KEY')).not.toThrow();
    const stranger = createTestCa('Fremde CA');
    expect(() => checkKeyChain(withX5c(stranger, keys.signingPrivate, 'x'), anchors, 'KEY')).toThrow(
      /KEY: the x5c chain ends at no configured trust anchor/,
    );
  });

  it('a spec-only submission with an identification report is accepted and becomes a case', async () => {
    await withWorker(async (e) => {
      const { data, report } = await resident(0);
      const sent = await portal.send({ destinationId, leikaKey: '99050012104000', data, identificationReport: report });
      const outcome = await receiver(e.cases).receive(sent.submissionId);
      const caseId = fitConnectCaseId(destinationId, sent.submissionId);
      expect(outcome).toEqual({ submissionId: sent.submissionId, result: 'accepted', caseId, duplicate: false });
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
      const decision = await waitFor(() => portal.decision(destinationId, sent.caseId), { what: 'the accept event' });
      expect(decision.event).toMatch(/accept-submission$/);
    });
  });

  it('metadata naming a later published version (1.2.0) are accepted; a version the destination does not declare is not', async () => {
    await withWorker(async (e) => {
      const { data, report } = await resident(1);
      const later = await portal.send({
        destinationId,
        leikaKey: '99050012104000',
        data,
        identificationReport: report,
        metadataVersion: '1.2.0',
        extraMetadata: { additionalReferenceInfo: { senderReference: 'PORTAL-4711', applicationDate: '2026-12-01' } },
      });
      expect(await receiver(e.cases).receive(later.submissionId)).toMatchObject({ result: 'accepted' });
      expect((await e.cases.result(fitConnectCaseId(destinationId, later.submissionId))).outcome).toBe('approved');

      const undeclared = await portal.send({
        destinationId,
        leikaKey: '99050012104000',
        data,
        identificationReport: report,
        metadataVersion: '2.0.0',
      });
      expect(await receiver(e.cases).receive(undeclared.submissionId)).toMatchObject({
        result: 'rejected',
        problems: [
          { type: expect.stringContaining('metadata-schema-violation'), detail: expect.stringContaining('2.0.0') },
        ],
      });
    });
  });

  it('paymentInformation BOOKED: the fee counts as paid and is never charged again', async () => {
    const charged: unknown[] = [];
    const deps = testDeps();
    const provider = Object.assign(Object.create(deps.payments.provider) as typeof deps.payments.provider, {
      createTransaction: (t: unknown) => {
        charged.push(t);
        return deps.payments.provider.createTransaction(t as never);
      },
    });
    await withWorker(
      async (e) => {
        const { a, data, report } = await resident(2);
        const fee = await feeOf(a);
        expect(fee).toBeGreaterThan(0);
        const sent = await portal.send({
          destinationId,
          leikaKey: '99050012104000',
          data,
          identificationReport: report,
          paymentInformation: {
            transactionId: 'pay-7f3a-0001',
            transactionReference: 'KZ-2026-000123',
            transactionTimestamp: new Date().toISOString(),
            paymentMethod: 'CREDITCARD',
            status: 'BOOKED',
            grossAmount: fee / 100,
          },
        });
        const outcome = await receiver(e.cases).receive(sent.submissionId);
        expect(outcome).toMatchObject({ result: 'accepted' });
        const caseId = fitConnectCaseId(destinationId, sent.submissionId);
        expect((await e.cases.result(caseId)).outcome).toBe('approved');
        expect(charged).toEqual([]);
        expect(await feeRows(caseId)).toEqual([
          expect.objectContaining({
            kind: 'fee',
            status: 'paid',
            amountCents: fee,
            reference: 'KZ-2026-000123',
            providerTransactionId: 'portal:pay-7f3a-0001',
          }),
        ]);
        expect((await listTasksOfCase(db, { caseId })).filter((t) => t.kind === 'check_fee_difference')).toEqual([]);
      },
      { payments: { ...deps.payments, provider } },
    );
  });

  it('paymentInformation BOOKED with another amount: a case-worker task, not a second charge', async () => {
    const charged: unknown[] = [];
    const deps = testDeps();
    const provider = Object.assign(Object.create(deps.payments.provider) as typeof deps.payments.provider, {
      createTransaction: (t: unknown) => {
        charged.push(t);
        return deps.payments.provider.createTransaction(t as never);
      },
    });
    await withWorker(
      async (e) => {
        const { a, data, report } = await resident(3);
        const fee = await feeOf(a);
        const sent = await portal.send({
          destinationId,
          leikaKey: '99050012104000',
          data,
          identificationReport: report,
          paymentInformation: {
            transactionId: 'pay-7f3a-0002',
            transactionReference: 'KZ-2026-000124',
            paymentMethod: 'PAYPAL',
            status: 'BOOKED',
            grossAmount: 10,
          },
        });
        await receiver(e.cases).receive(sent.submissionId);
        const caseId = fitConnectCaseId(destinationId, sent.submissionId);
        await e.cases.result(caseId);
        expect(charged).toEqual([]);
        expect(await feeRows(caseId)).toEqual([expect.objectContaining({ status: 'paid', amountCents: 1000 })]);
        const task = (await listTasksOfCase(db, { caseId })).find((t) => t.kind === 'check_fee_difference');
        expect(task).toMatchObject({ state: 'open' });
        expect(task!.reason).toContain('10,00 €');
        expect(task!.reason).toContain(`${(fee / 100).toFixed(2).replace('.', ',')} €`);
      },
      { payments: { ...deps.payments, provider } },
    );
  });

  it('replyChannel eMail: the Bescheid goes there (a mail with a download link), not to the postbox', async () => {
    const mails: ReplyMail[] = [];
    const base = testDeps();
    const mailer = { send: async (m: ReplyMail) => (mails.push(m), { messageId: `mail-${mails.length}` }) };
    const postbox = new ReplyChannelPostbox(base.postbox, {
      facts,
      db,
      mailer,
      downloadUrl: (caseId) => `https://portal.example/antraege/${caseId}`,
    });
    await withWorker(
      async (e) => {
        const { data, report } = await resident(4);
        const sent = await portal.send({
          destinationId,
          leikaKey: '99050012104000',
          data,
          identificationReport: report,
          replyChannel: { eMail: { address: 'erika.mustermann@example.de' } },
        });
        await receiver(e.cases).receive(sent.submissionId);
        const caseId = fitConnectCaseId(destinationId, sent.submissionId);
        const result = await e.cases.result(caseId);
        expect(result.delivery).toMatchObject({ status: 'delivered', channel: 'email' });
        const bescheid = mails.filter((m) => m.subject.startsWith('Bescheid'));
        expect(bescheid).toHaveLength(1);
        expect(bescheid[0]).toMatchObject({ to: 'erika.mustermann@example.de' });
        expect(bescheid[0]!.text).toContain(`https://portal.example/antraege/${caseId}`);
        // Status messages take the same channel: at least the receipt of the application.
        const status = await waitFor(() => mails.filter((m) => !m.subject.startsWith('Bescheid')).length > 0 && mails, {
          what: 'a status mail',
        });
        expect(status.every((m) => m.to === 'erika.mustermann@example.de')).toBe(true);
      },
      { postbox, statusChannel: new ReplyChannelStatus(base.statusChannel, { facts, mailer }) },
    );
  });

  it('a broken submission is rejected with all its problems in one reject event', async () => {
    await withWorker(async (e) => {
      const sent = await portal.send({
        destinationId,
        leikaKey: '99050012104000',
        // Data the schema refuses, a hash that does not match, an attachment the metadata do not describe, and no
        // identification report for a service that needs one.
        data: { zone: 'Z9' },
        broken: { dataHash: 'ab'.repeat(64), attachment: new TextEncoder().encode('%PDF-1.7') },
      });
      const outcome = await receiver(e.cases).receive(sent.submissionId);
      expect(outcome.result).toBe('rejected');
      const decision = await waitFor(() => portal.decision(destinationId, sent.caseId), { what: 'the reject event' });
      expect(decision.event).toMatch(/reject-submission$/);
      const problems = decision.payload['problems'] as Array<{ type: string; instance: string }>;
      expect(problems.map((p) => p.type.replace(/^.*\/problems\//, '')).sort()).toEqual([
        'data-schema-violation',
        'hash-mismatch',
        'missing-attachment-metadata',
        'missing-authentication-info',
      ]);
      expect(await e.cases.exists(fitConnectCaseId(destinationId, sent.submissionId))).toBe(false);
    });
  });

  it('an identification report from an untrusted eID service, or at too low a level, is refused', async () => {
    const stranger = new TestEidService(createTestCa('Fremde CA'));
    await withWorker(async (e) => {
      const a = applicationOf('resident', 5);
      const data = { ...a.application, einwilligungNachweisabruf: true };
      for (const [report, problem] of [
        [await stranger.report({ restrictedId: a.identity.subject }), 'invalid-authentication-info'],
        [
          await eid.report(
            { restrictedId: a.identity.subject },
            { levelOfAssurance: 'http://eidas.europa.eu/LoA/low' },
          ),
          'insufficient-trust-level',
        ],
      ] as const) {
        const sent = await portal.send({
          destinationId,
          leikaKey: '99050012104000',
          data,
          identificationReport: report,
        });
        const outcome = await receiver(e.cases).receive(sent.submissionId);
        expect(outcome).toMatchObject({ result: 'rejected', problems: [{ type: expect.stringContaining(problem) }] });
      }
    });
  });
});

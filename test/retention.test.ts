import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { RetentionReport } from '../activities/retention.js';
import type { ArchiveStore } from '../adapters/archive-store.js';
import { RETENTION_SCHEDULE_ID, ensureRetentionSchedule } from '../client/retention-schedule.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { recordDelivery } from '../db/queries/deliveries.js';
import { logRetrieval } from '../db/queries/evidence-retrievals.js';
import { erasureOf, placeHold, recordEvidenceUpload, releaseHold } from '../db/queries/retention.js';
import { buildHttpApi } from '../http/http-api.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { applicantToken, call, intakeNotUnderTest, tokenAudience, tokens } from './http-helpers.js';
import { recordSeal } from '../db/queries/seals.js';
import {
  akteDocuments,
  akteSearchTerms,
  akten,
  caseEvents,
  cases,
  deliveries,
  evidenceRetrievals,
} from '../db/schema.js';
import {
  addAkteDocument,
  antragDocumentId,
  bekanntgabeDocumentId,
  findAkteDocument,
  openAkte,
} from '../db/queries/akte.js';
import { caseRetention } from '../activities/retention.js';
import { DEFAULT_OBJECTION_DAYS } from '../services/retention.js';
import { client, db, withWorker } from './harness.js';

const PARKING = '99050012104000'; // retention 6 years

type Docs = { put(b: Uint8Array, t: string): Promise<{ sha256: string; mediaType: string; size: number }> };

async function closedCase(
  e: { deps: { documents: Docs; archive: ArchiveStore } },
  closedAt: Date,
  sharedUpload: Buffer,
  applicant?: string,
) {
  const caseId = randomUUID();
  const source = await e.deps.documents.put(Buffer.from(`Bescheid ${caseId}`), 'application/pdf');
  const sealed = await e.deps.documents.put(Buffer.from(`gesiegelt ${caseId}`), 'application/pdf');
  // The applicant's uploads (one only theirs, one with the same bytes as another case's) and a register's document.
  const upload = await e.deps.documents.put(Buffer.from(`Zulassung ${caseId}`), 'application/pdf');
  const shared = await e.deps.documents.put(sharedUpload, 'application/pdf');
  const register = await e.deps.documents.put(Buffer.from(`Meldebescheinigung ${caseId}`), 'application/pdf');
  await recordEvidenceUpload(db, { caseId, evidenceType: 'vehicle_registration', document: upload });
  const subject = applicant ?? `pseudonym-${caseId}`;
  await openAkte(db, {
    caseId,
    authorityId: 'stadt-musterstadt',
    serviceKey: PARKING,
    year: closedAt.getUTCFullYear(),
    aktenzeichen: (n) => `TEST/${caseId}/${n}`,
    applicantSubject: subject,
    identity: { subject, trustLevel: 'substantial', name: { givenName: 'Erika', familyName: 'Mustermann' } },
    submissionSha256: caseId,
    schemaId: 'test',
    schemaVersion: '1',
    ruleSetVersion: '1',
    submittedAt: closedAt,
    antrag: { content: { licensePlate: 'MS-AB 123' }, sha256: 'a'.repeat(64), size: 27, title: 'Antrag' },
    searchTerms: [
      { term: `name-hash-${caseId}`, kind: 'name' },
      { term: `plate-hash-${caseId}`, kind: 'licence_plate' },
    ],
  });
  await recordEvidenceUpload(db, { caseId, evidenceType: 'parking_permit_old', document: shared });
  await logRetrieval(db, {
    caseId,
    subject,
    authorityId: 'stadt-musterstadt',
    register: 'population',
    evidenceType: 'residence',
    purpose: 'Hauptwohnsitz prüfen',
    attempt: 1,
    result: 'found',
    documentSha256: register.sha256,
    requestedAt: closedAt,
    answeredAt: closedAt,
  });
  await db.insert(cases).values({
    caseId,
    workflowId: caseWorkflowId(caseId),
    serviceKey: PARKING,
    authorityId: 'stadt-musterstadt',
    applicantSubject: subject,
    ruleSetVersion: '1',
    status: 'closed',
    outcome: 'approved',
    bescheidSha256: sealed.sha256,
    submittedAt: closedAt,
    closedAt,
  });
  await recordSeal(db, {
    sealId: caseId.replace(/-/g, ''),
    caseId,
    authorityId: 'stadt-musterstadt',
    sourceSha256: source.sha256,
    sealedSha256: sealed.sha256,
    keyId: 'k',
    sealedAt: closedAt,
  });
  await recordDelivery(db, {
    idempotencyKey: `case:${caseId}:deliver`,
    deliveryId: caseId,
    caseId,
    recipient: subject,
    channel: 'postbox',
    subject: 'Bescheid',
    documentSha256: sealed.sha256,
  });
  // Evidence a Fachverfahren handed to the case through its own client: only the archive package lists it.
  const handedOverBytes = Buffer.from(`Nachweis über eigenen Client ${caseId}`);
  const handedOver = await e.deps.documents.put(handedOverBytes, 'application/pdf');
  const pkg = await e.deps.archive.store({
    caseId,
    serviceKey: PARKING,
    authorityId: 'stadt-musterstadt',
    closedAt: closedAt.toISOString(),
    retentionYears: 6,
    eventLogHead: 'test',
    files: [{ name: 'evidence-other.pdf', kind: 'Nachweis', mediaType: 'application/pdf', bytes: handedOverBytes }],
  });
  await db.insert(caseEvents).values({
    caseId,
    seq: 1,
    type: 'case.closed',
    status: 'closed',
    data: { outcome: 'approved', archive: pkg.packageSha256 },
    at: closedAt,
  });
  return {
    caseId,
    handedOver: handedOver.sha256,
    archive: pkg.packageSha256,
    documents: [source.sha256, sealed.sha256],
    evidence: [upload.sha256, register.sha256],
    shared: shared.sha256,
  };
}

describe('retention (Löschfristen)', () => {
  it('erases personal data, documents and uploaded evidence of cases past their retention period, keeps the rest, records what it did, and a rerun erases nothing more', async () => {
    await withWorker(async (e) => {
      const sharedUpload = Buffer.from(`the same invoice ${randomUUID()}`);
      const expired = await closedCase(e, new Date('2019-01-10T10:00:00Z'), sharedUpload);
      const recent = await closedCase(e, new Date(Date.now() - 24 * 3600_000), sharedUpload);
      const run = () =>
        client.workflow.execute('retentionWorkflow', {
          taskQueue: e.taskQueue,
          workflowId: `retention-${randomUUID()}`,
          args: [],
        }) as Promise<RetentionReport>;

      const report = await run();
      expect(report.erasedCases).toContain(expired.caseId);
      expect(report.erasedCases).not.toContain(recent.caseId);
      expect(report.erasedEvidence).toBeGreaterThanOrEqual(3);
      for (const sha256 of [...expired.documents, ...expired.evidence])
        await expect(e.deps.documents.get(sha256)).rejects.toThrow();
      for (const sha256 of [...recent.documents, ...recent.evidence])
        expect((await e.deps.documents.get(sha256)).byteLength).toBeGreaterThan(0);
      // Evidence only the archive package lists goes from the document store; the archive keeps its copy.
      await expect(e.deps.documents.get(expired.handedOver)).rejects.toThrow();
      expect((await e.deps.archive.readFile(expired.handedOver)).byteLength).toBeGreaterThan(0);
      expect((await e.deps.archive.verify(expired.archive)).valid).toBe(true);
      expect((await e.deps.documents.get(recent.handedOver)).byteLength).toBeGreaterThan(0);
      // Identical bytes another case still holds stay until that case is erased too.
      expect(Buffer.compare(await e.deps.documents.get(expired.shared), sharedUpload)).toBe(0);

      const [row] = await db.select().from(cases).where(eq(cases.caseId, expired.caseId));
      // Kept: the case, its outcome and the seal record; gone: who applied.
      expect(row).toMatchObject({ applicantSubject: null, outcome: 'approved', status: 'closed' });
      expect((await db.select().from(deliveries).where(eq(deliveries.caseId, expired.caseId)))[0]!.recipient).toBe(
        'gelöscht',
      );
      expect(
        (await db.select().from(evidenceRetrievals).where(eq(evidenceRetrievals.caseId, expired.caseId)))[0]!.subject,
      ).toBe('gelöscht');
      expect((await db.select().from(cases).where(eq(cases.caseId, recent.caseId)))[0]!.applicantSubject).toBe(
        `pseudonym-${recent.caseId}`,
      );
      // The Akte keeps its Aktenzeichen and document index; the application, the identity and the pseudonym go.
      const [akte] = await db.select().from(akten).where(eq(akten.caseId, expired.caseId));
      expect(akte).toMatchObject({
        applicantSubject: 'gelöscht',
        identity: {},
        aktenzeichen: `TEST/${expired.caseId}/1`,
      });
      const index = await db.select().from(akteDocuments).where(eq(akteDocuments.caseId, expired.caseId));
      expect(index).toEqual([expect.objectContaining({ kind: 'antrag', content: null, authorId: null })]);
      // The blind index's hashes of name and licence plate go; the case that is kept is still found by them.
      const terms = (caseId: string) => db.select().from(akteSearchTerms).where(eq(akteSearchTerms.caseId, caseId));
      expect(await terms(expired.caseId)).toEqual([]);
      expect(await terms(recent.caseId)).toHaveLength(2);
      // Read as every reader does: sealed at rest, opened by the Akte's read function.
      const kept = await findAkteDocument(db, { documentId: antragDocumentId(recent.caseId) });
      expect(kept).toMatchObject({ content: { licensePlate: 'MS-AB 123' }, authorId: `pseudonym-${recent.caseId}` });
      // The record of what was erased: kinds and hashes, the period, and what stayed.
      const erasure = await erasureOf(db, { caseId: expired.caseId });
      expect(erasure).toMatchObject({ serviceKey: PARKING, retentionYears: 6 });
      expect(erasure!.documents).toEqual(
        expect.arrayContaining([
          { kind: 'bescheid', sha256: expired.documents[0] },
          { kind: 'bescheid', sha256: expired.documents[1] },
          { kind: 'evidence_upload', sha256: expired.evidence[0] },
          { kind: 'register_evidence', sha256: expired.evidence[1] },
          { kind: 'evidence_upload', sha256: expired.handedOver },
        ]),
      );
      expect(JSON.stringify(erasure!.documents)).not.toContain(expired.shared);
      expect(erasure!.kept).toEqual(
        expect.arrayContaining([
          'case outcome',
          'seal record',
          `archive package ${expired.archive}`,
          '1 evidence document(s) another case still holds',
        ]),
      );
      expect(JSON.stringify(erasure)).not.toContain('pseudonym');
      expect(await erasureOf(db, { caseId: recent.caseId })).toBeUndefined();

      expect((await run()).erasedCases).not.toContain(expired.caseId);
    });
  });

  it('a legal hold and an objection keep a case past its retention date; the period runs from Bestandskraft; released, the case goes', async () => {
    await withWorker(async (e) => {
      const upload = Buffer.from(`unshared ${randomUUID()}`);
      const held = await closedCase(e, new Date('2019-01-10T10:00:00Z'), upload);
      const objected = await closedCase(e, new Date('2019-01-10T10:00:00Z'), upload);
      // Closed six years and ten days ago: past closure plus six years, not past Bestandskraft (closure plus a month).
      const sixYearsTenDaysAgo = new Date();
      sixYearsTenDaysAgo.setUTCFullYear(sixYearsTenDaysAgo.getUTCFullYear() - 6);
      const notFinalYet = await closedCase(e, new Date(sixYearsTenDaysAgo.getTime() - 10 * 86_400_000), upload);
      const hold = await placeHold(db, {
        caseId: held.caseId,
        kind: 'legal_hold',
        reason: 'Klage anhängig',
        placedBy: 'sl.carla',
      });
      await placeHold(db, { caseId: objected.caseId, kind: 'objection', reason: 'Widerspruch', placedBy: 'sl.carla' });
      const run = () =>
        client.workflow.execute('retentionWorkflow', {
          taskQueue: e.taskQueue,
          workflowId: `retention-${randomUUID()}`,
          args: [],
        }) as Promise<RetentionReport>;

      const first = await run();
      for (const c of [held, objected, notFinalYet]) {
        expect(first.erasedCases).not.toContain(c.caseId);
        expect(await erasureOf(db, { caseId: c.caseId })).toBeUndefined();
        expect((await e.deps.documents.get(c.documents[1]!)).byteLength).toBeGreaterThan(0);
      }

      await releaseHold(db, { caseId: held.caseId, id: hold.id, releasedBy: 'sl.carla' });
      const second = await run();
      expect(second.erasedCases).toContain(held.caseId);
      expect(second.erasedCases).not.toContain(objected.caseId);
      expect(second.erasedCases).not.toContain(notFinalYet.caseId);
      // The record names the event the period ran from, its end and what followed; no personal data.
      expect(await erasureOf(db, { caseId: held.caseId })).toMatchObject({
        retentionYears: 6,
        runsFrom: 'bestandskraft',
        retainedUntil: new Date('2025-02-09T10:00:00Z'),
        disposal: 'erase',
        trigger: 'retention',
      });
    });
  });

  it("runs from the Bestandskraft the case's Bekanntgabe recorded; without one, provisionally from closure plus the objection period", async () => {
    await withWorker(async (e) => {
      const closedAt = new Date('2019-01-10T10:00:00Z');
      const announced = await closedCase(e, closedAt, Buffer.from(randomUUID()));
      const unannounced = await closedCase(e, closedAt, Buffer.from(randomUUID()));
      const record = { caseId: announced.caseId, bekanntgabeOn: '2019-02-14', finalOn: '2019-03-15' };
      await addAkteDocument(db, {
        documentId: bekanntgabeDocumentId(announced.caseId),
        caseId: announced.caseId,
        kind: 'bekanntgabe',
        title: 'Bekanntgabe',
        mediaType: 'application/json',
        sha256: 'b'.repeat(64),
        size: 2,
        content: record,
        authorRole: 'engine',
      });
      const of = (caseId: string) =>
        caseRetention(db, { caseId, serviceKey: PARKING, closedAt }, new Date('2026-01-01'));
      expect(await of(announced.caseId)).toMatchObject({
        runsFrom: 'bestandskraft',
        startsAt: new Date('2019-03-15T00:00:00Z'),
        until: new Date('2025-03-15T00:00:00Z'),
        provisional: false,
      });
      expect(await of(unannounced.caseId)).toMatchObject({
        startsAt: new Date(closedAt.getTime() + DEFAULT_OBJECTION_DAYS * 86_400_000),
        provisional: true,
      });
    });
  });

  it('an erasure request (Art. 17) erases what no retention rule keeps and says why the rest stays, and until when', async () => {
    await withWorker(async (e) => {
      const subject = `pseudonym-${randomUUID()}`;
      const upload = Buffer.from(`unshared ${randomUUID()}`);
      const expired = await closedCase(e, new Date('2018-03-01T10:00:00Z'), upload, subject);
      const recent = await closedCase(e, new Date('2025-06-30T10:00:00Z'), upload, subject);
      const held = await closedCase(e, new Date('2018-03-01T10:00:00Z'), upload, subject);
      await placeHold(db, { caseId: held.caseId, kind: 'objection', reason: 'Widerspruch', placedBy: 'sl.carla' });
      const other = await closedCase(e, new Date('2018-03-01T10:00:00Z'), upload);
      const api = await buildHttpApi({
        cases: e.cases,
        tasks: e.tasks,
        auth: jwtVerifier(tokens.keys, tokenAudience),
        identity: intakeNotUnderTest,
        evidence: { db, documents: e.deps.documents, uploadMaxBytes: 1024, archive: e.deps.archive },
      });
      try {
        const token = await applicantToken(subject);
        const url = `/applicants/${subject}/erasure-requests`;
        const res = await call(api, 'POST', url, token, {});
        expect(res.status).toBe(201);
        const byCase = Object.fromEntries((res.body.cases as Array<{ caseId: string }>).map((c) => [c.caseId, c]));
        expect(Object.keys(byCase).sort()).toEqual([expired.caseId, recent.caseId, held.caseId].sort());
        expect(byCase[expired.caseId]).toMatchObject({ result: 'erased', keptUntil: null });
        expect(byCase[recent.caseId]).toMatchObject({
          result: 'kept',
          keptUntil: '2031-07-30T10:00:00.000Z',
          reason: expect.stringMatching(/^Aufbewahrt bis 2031-07-30: 6 Jahre ab Bestandskraft/),
        });
        expect(byCase[held.caseId]).toMatchObject({
          result: 'kept',
          keptUntil: null,
          reason: expect.stringMatching(/Widerspruch/),
        });
        // Erased now, recorded as the applicant's request; the documents are gone, the other cases' stay.
        expect(await erasureOf(db, { caseId: expired.caseId })).toMatchObject({ trigger: 'art-17', disposal: 'erase' });
        await expect(e.deps.documents.get(expired.documents[1]!)).rejects.toThrow();
        for (const c of [recent, held, other])
          expect((await e.deps.documents.get(c.documents[1]!)).byteLength).toBeGreaterThan(0);
        expect(await erasureOf(db, { caseId: other.caseId })).toBeUndefined();
        // The request stays on record, readable by the applicant only.
        const listed = await call(api, 'GET', url, token);
        expect(listed.body.requests).toEqual([expect.objectContaining({ requestId: res.body.requestId })]);
        expect((await call(api, 'POST', url, await applicantToken(`pseudonym-${other.caseId}`), {})).status).toBe(404);
      } finally {
        await api.close();
      }
    });
  });

  it('the daily schedule is registered once', async () => {
    await ensureRetentionSchedule(client, 'retention-test-queue');
    await ensureRetentionSchedule(client, 'retention-test-queue');
    const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    try {
      const d = await handle.describe();
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow' });
      expect(d.spec.intervals?.[0]?.every).toBe(24 * 3600_000);
    } finally {
      await handle.delete();
    }
  });
});

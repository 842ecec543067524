import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import proto from '@temporalio/proto';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { describe, expect, it } from 'vitest';
import { IntakeRefusedError } from '../client/intake-refused.js';
import { antragDocumentId, findAkte, findAkteDocument, listAkteDocuments, sealPlainAkten } from '../db/queries/akte.js';
import { formatAktenzeichen, aktenzeichenPatternProblem } from '../services/aktenzeichen.js';
import { findService } from '../services/catalogue.js';
import { hundesteuer } from '../services/hundesteuer.js';
import { client, db, startBypassingIntake, withWorker } from './harness.js';
import { applicationOf } from './samples.js';

const parking = findService('99050012104000');

describe('the Akte written by intake', () => {
  it('holds the application as submitted, its schema and a readable Aktenzeichen before the case starts', async () => {
    await withWorker(async ({ cases }) => {
      const submission = applicationOf('resident');
      const { caseId } = await cases.submit(submission);

      const akte = await findAkte(db, { caseId });
      expect(akte).toMatchObject({
        authorityId: 'stadt-musterstadt',
        serviceKey: parking.key,
        applicantSubject: submission.identity.subject,
        schemaId: `urn:ozg-case-engine:schema:${parking.key}:1`,
        schemaVersion: '1',
        ruleSetVersion: '1',
        ruleSetSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const year = akte!.submittedAt.getUTCFullYear();
      expect(akte!.aktenzeichen).toBe(`32.1-BPA/${year}/${String(akte!.runningNumber).padStart(5, '0')}`);
      expect(akte!.aktenzeichen).not.toContain(caseId.slice(0, 8));

      const docs = await listAkteDocuments(db, { caseId });
      expect(docs).toEqual([
        expect.objectContaining({
          documentId: antragDocumentId(caseId),
          kind: 'antrag',
          title: 'Antrag: Bewohnerparkausweis (Beispiel)',
          mediaType: 'application/json',
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          authorRole: 'applicant',
          authorId: submission.identity.subject,
          replaces: null,
        }),
      ]);
      const antrag = await findAkteDocument(db, { documentId: antragDocumentId(caseId) });
      expect(antrag?.content).toEqual(submission.application);
    });
  });

  it('numbers the files of one authority one after another and writes nothing twice for a repeated submission', async () => {
    await withWorker(async ({ cases }) => {
      const key = randomUUID();
      const first = await cases.submit({ ...applicationOf('resident', 1), idempotencyKey: key });
      const again = await cases.submit({ ...applicationOf('resident', 1), idempotencyKey: key });
      expect(again).toMatchObject({ caseId: first.caseId, duplicate: true });
      const other = await cases.submit(applicationOf('resident', 2));

      const [a, b] = [await findAkte(db, { caseId: first.caseId }), await findAkte(db, { caseId: other.caseId })];
      expect(b!.runningNumber).toBeGreaterThan(a!.runningNumber);
      expect(b!.aktenzeichen).not.toBe(a!.aktenzeichen);
      expect(await listAkteDocuments(db, { caseId: first.caseId })).toHaveLength(1);

      // The same key with another application is refused, and the Akte keeps the first one.
      const changed = applicationOf('resident', 1);
      changed.application = { ...changed.application, zone: 'B2' };
      const refused = await cases.submit({ ...changed, idempotencyKey: key }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(IntakeRefusedError);
      expect(refused).toMatchObject({ code: 'idempotency_key_reused', status: 409 });
      const antrag = await findAkteDocument(db, { documentId: antragDocumentId(first.caseId) });
      expect(antrag?.content).toEqual(applicationOf('resident', 1).application);
    });
  });

  it('keeps the FIM labels of an application whose schema comes from a FIM Stammdatenschema', async () => {
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit({
        serviceKey: hundesteuer.key,
        authorityId: 'stadt-musterstadt',
        identity: { subject: `pseudonym-${randomUUID()}`, trustLevel: 'substantial' },
        application: {
          G99000010: { F99000011: 'Muster', F99000012: 'Erika', F99000013: '48143' },
          G99000020: [{ F99000021: '02', F99000022: '2026-02-01' }],
          F99000030: 0,
        },
      });
      const antrag = await findAkteDocument(db, { documentId: antragDocumentId(caseId) });
      expect(antrag?.labels).toMatchObject({
        '/G99000020/*/F99000022': 'Hund gehalten seit',
        '/G99000010/F99000013': 'Postleitzahl',
      });
      expect((await findAkte(db, { caseId }))?.aktenzeichen).toMatch(/^22\.3-HST\/\d{4}\/\d{5}$/);
    });
  });
});

describe('Aktenzeichen patterns', () => {
  const authority = { sealIdentity: 'stadt-x', fileReferencePrefix: '32.1-BPA' };
  it('follow the authority, else the service, else the default', () => {
    expect(formatAktenzeichen({ key: '99050012104000' }, authority, 2026, 17)).toBe('32.1-BPA/2026/00017');
    expect(
      formatAktenzeichen(
        { key: '99050012104000', aktenzeichenPattern: '{service}-{year}-{number}' },
        authority,
        2026,
        3,
      ),
    ).toBe('99050012104000-2026-3');
    expect(
      formatAktenzeichen(
        { key: '99050012104000', aktenzeichenPattern: '{service}-{number}' },
        { ...authority, aktenzeichenPattern: 'BPA {number:3}/{year}' },
        2027,
        4,
      ),
    ).toBe('BPA 004/2027');
    expect(formatAktenzeichen({ key: 'k' }, { sealIdentity: 'stadt-x' }, 2026, 1)).toBe('STADT-X/2026/00001');
  });
  it('must number the files and use only known placeholders', () => {
    expect(aktenzeichenPatternProblem('{prefix}/{year}')).toMatch(/\{number\}/);
    expect(aktenzeichenPatternProblem('{prefix}/{jahr}/{number}')).toMatch(/\{jahr\}/);
    expect(aktenzeichenPatternProblem('{prefix}/{year}/{number:6}')).toBeUndefined();
  });
});

/**
 * Bytes of a case's history as Temporal stores it (protobuf), of its input, and its events without workflow tasks:
 * how often the worker picks up a workflow task depends on timing (an activity finishing while a task runs adds one),
 * the other events follow from the case alone.
 */
async function historySize(
  caseId: string,
): Promise<{ bytes: number; events: number; inputBytes: number; caseEvents: number }> {
  const history = await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
  const History = proto.temporal.api.history.v1.History;
  const Payloads = proto.temporal.api.common.v1.Payloads;
  const EventType = proto.temporal.api.enums.v1.EventType;
  const workflowTask = new Set<unknown>([
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
    'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
    'EVENT_TYPE_WORKFLOW_TASK_FAILED',
  ]);
  const events = history.events ?? [];
  const caseOnly = events.filter((e) => !workflowTask.has(e.eventType));
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input;
  return {
    bytes: History.encode(History.fromObject(history)).finish().byteLength,
    events: events.length,
    inputBytes: input ? Payloads.encode(Payloads.fromObject(input)).finish().byteLength : 0,
    caseEvents: caseOnly.length,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('claim-check', () => {
  // Whether the application's values are in the history at all is clear-text.test.ts's question (decoded, none are).
  it("an automated case's workflow input is smaller with the Antrag's reference, and the case takes the same steps", async () => {
    await withWorker(async ({ cases, taskQueue }) => {
      const inline: string[] = [];
      const referenced: string[] = [];
      for (let n = 0; n < 3; n++) {
        // As cases were started before the Akte: the application in the workflow input.
        inline.push(await startBypassingIntake(taskQueue, applicationOf('resident', 10 + n)));
        referenced.push((await cases.submit(applicationOf('resident', 10 + n))).caseId);
      }
      for (const id of [...inline, ...referenced]) expect((await cases.result(id)).outcome).toBe('approved');
      const before = await Promise.all(inline.map(historySize));
      const after = await Promise.all(referenced.map(historySize));
      const figures = {
        before: { bytes: median(before.map((h) => h.bytes)), input: median(before.map((h) => h.inputBytes)) },
        after: { bytes: median(after.map((h) => h.bytes)), input: median(after.map((h) => h.inputBytes)) },
      };
      console.log(`history per automated case (median of 3): ${JSON.stringify(figures)}`);
      // The workflow input, which carried the application, is smaller for every case.
      for (const [i, b] of before.entries()) expect(after[i]!.inputBytes).toBeLessThan(b.inputBytes);
      // Without the workflow tasks (their number follows timing, not the case) the reference adds no event. (The whole
      // history is not smaller for this small application: the reference travels with several activities' inputs.)
      expect(new Set(after.map((h) => h.caseEvents))).toEqual(new Set(before.map((h) => h.caseEvents)));
    });
  });
});

describe("the Akte's personal data at rest", () => {
  it('is sealed with the authority data key in PostgreSQL and reads back as submitted', async () => {
    await withWorker(async ({ cases }) => {
      const submission = applicationOf('resident', 3);
      const { caseId } = await cases.submit(submission);
      const application = submission.application as { licensePlate: string; address: { street: string } };

      const akte = await findAkte(db, { caseId });
      expect(akte?.identity).toMatchObject({ subject: submission.identity.subject });
      expect(akte?.consent).toEqual(submission.consent);
      const antrag = await findAkteDocument(db, { documentId: antragDocumentId(caseId) });
      expect(antrag?.content).toEqual(submission.application);

      const [raw] = await db.execute<{ identity: string; consent: string; content: string }>(
        sql`select a.identity::text as identity, a.consent::text as consent, d.content::text as content
            from akten a join akte_documents d on d.document_id = ${antragDocumentId(caseId)}
            where a.case_id = ${caseId}`,
      );
      const stored = `${raw!.identity} ${raw!.consent} ${raw!.content}`;
      const name = (akte!.identity as { name?: { givenName: string; familyName: string } }).name;
      const clear = [
        submission.identity.subject,
        application.licensePlate,
        application.address.street,
        ...(name ? [name.givenName, name.familyName] : []),
      ];
      for (const value of clear) expect(stored).not.toContain(value);
      // Sealed with the data key of the case's authority.
      expect(JSON.parse(raw!.content)).toMatchObject({ $sealed: 'aes-256-gcm', key: 'dek:stadt-musterstadt:1' });
      expect(JSON.parse(raw!.identity)).toMatchObject({ key: 'dek:stadt-musterstadt:1' });
    });
  });

  it('refuses a sealed value moved to another row, and reads rows written before sealing as they are', async () => {
    await withWorker(async ({ cases }) => {
      const first = await cases.submit(applicationOf('resident', 4));
      const second = await cases.submit(applicationOf('resident', 5));
      // The first case's sealed Antrag copied onto the second's: bound to its row, it does not open there.
      await db.execute(
        sql`update akte_documents set content = (select content from akte_documents where document_id = ${antragDocumentId(first.caseId)})
            where document_id = ${antragDocumentId(second.caseId)}`,
      );
      await expect(findAkteDocument(db, { documentId: antragDocumentId(second.caseId) })).rejects.toThrow();

      // A row as the engine wrote it before sealing: plain JSON, returned as it is.
      const plain = applicationOf('resident', 5).application;
      await db.execute(
        sql`update akte_documents set content = ${JSON.stringify(plain)}::jsonb where document_id = ${antragDocumentId(second.caseId)}`,
      );
      await db.execute(sql`update akten set identity = '{"subject":"before"}'::jsonb where case_id = ${second.caseId}`);
      expect((await findAkteDocument(db, { documentId: antragDocumentId(second.caseId) }))?.content).toEqual(plain);
      expect((await findAkte(db, { caseId: second.caseId }))?.identity).toEqual({ subject: 'before' });

      // The operator's `npm run authority-keys -- seal-akten` seals them; they read the same afterwards.
      expect(await sealPlainAkten(db, { caseId: second.caseId })).toBe(2);
      const [after] = await db.execute<{ identity: string; content: string }>(
        sql`select a.identity::text as identity, d.content::text as content
            from akten a join akte_documents d on d.document_id = ${antragDocumentId(second.caseId)}
            where a.case_id = ${second.caseId}`,
      );
      expect(after!.identity).not.toContain('before');
      expect(after!.content).not.toContain((plain as { licensePlate: string }).licensePlate);
      expect((await findAkteDocument(db, { documentId: antragDocumentId(second.caseId) }))?.content).toEqual(plain);
      expect((await findAkte(db, { caseId: second.caseId }))?.identity).toEqual({ subject: 'before' });
    });
  });
});

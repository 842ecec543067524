import { eq } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CaseState } from '../workflows/contracts/case.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listRetrievalsOfCase } from '../db/queries/evidence-retrievals.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { evidenceUploads } from '../db/schema.js';
import { findService } from '../services/catalogue.js';
import { lastenradApplication } from '../dev/demo/sample-other-services.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { sha256Hex } from '../adapters/document-store.js';
import { applicantToken, listening } from './http-helpers.js';
import {
  client,
  completeOpenTask,
  db,
  httpApiFor,
  sealKeys,
  startRegisters,
  withWorker,
  type TestEngine,
} from './harness.js';
import { applicationOf } from './samples.js';
import { waitFor as poll } from './support/wait.js';

const fast = { registerRetryInitialMs: 50, registerMaxAttempts: 3 };

const waitFor = (cases: TestEngine['cases'], caseId: string, ok: (s: CaseState) => boolean): Promise<CaseState> =>
  poll(
    async () => {
      const s = await cases.status(caseId);
      return ok(s) && s;
    },
    { timeoutMs: 30_000, what: `case ${caseId} to reach the expected state` },
  );

async function pdfBytes(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage().drawText('Zulassungsbescheinigung Teil I');
  return pdf.save();
}
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function uploadForm(bytes: Uint8Array, fileName: string, type: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)], { type }), fileName);
  return form;
}

async function deliveredTexts(e: TestEngine, caseId: string): Promise<string[]> {
  const rows = await listDeliveries(db, { caseId });
  return Promise.all(rows.map(async (r) => (await e.deps.documents.get(r.documentSha256)).toString('latin1')));
}

describe('evidence from registers, once-only', () => {
  it('fetches every piece of evidence of each sample service in parallel from the register sandbox, and logs each retrieval', async () => {
    const { registers } = await startRegisters({ faults: { latencyMs: 400 } });
    await withWorker(
      async (e) => {
        // The sample services whose every piece of evidence comes from a register.
        for (const submission of [applicationOf('resident'), lastenradApplication('eligible')]) {
          const service = findService(submission.serviceKey);
          const { caseId } = await e.cases.submit(submission);
          const result = await e.cases.result(caseId);
          expect(result.outcome).toBe('approved');

          const log = await listRetrievalsOfCase(db, { caseId });
          expect(log.map((r) => [r.evidenceType, r.register, r.result, r.purpose]).sort()).toEqual(
            service.evidence.map((ev) => [ev.evidenceType, ev.register, 'found', ev.purpose]).sort(),
          );
          // Parallel: every call started before any of them was answered.
          const firstAnswer = Math.min(...log.map((r) => r.answeredAt.getTime()));
          for (const r of log) expect(r.requestedAt.getTime()).toBeLessThan(firstAnswer);
          // By reference: the stored register answer matches its SHA-256; history carries only the facts.
          for (const r of log) expect((await e.deps.documents.get(r.documentSha256!)).length).toBeGreaterThan(0);
          const residence = JSON.parse(
            (await e.deps.documents.get(log.find((r) => r.evidenceType === 'residence')!.documentSha256!)).toString(),
          );
          expect(residence.record).toMatchObject({
            subject: submission.identity.subject,
            residenceType: 'main',
            householdId: expect.any(String),
          });

          // Through the generated client, as a portal's data-protection cockpit reads it.
          const api = await listening(await httpApiFor(e));
          try {
            const onCase = { params: { path: { caseId } } };
            const ofSubject = { params: { path: { subject: submission.identity.subject } } };
            const owner = api.as(await applicantToken(submission.identity.subject));
            const stranger = api.as(await applicantToken('pseudonym-someone-else'));
            expect((await api.as().GET('/cases/{caseId}/evidence-retrievals', onCase)).response.status).toBe(401);
            expect((await stranger.GET('/cases/{caseId}/evidence-retrievals', onCase)).response.status).toBe(404);
            expect((await stranger.GET('/applicants/{subject}/evidence-retrievals', ofSubject)).response.status).toBe(
              404,
            );
            const res = await owner.GET('/cases/{caseId}/evidence-retrievals', onCase);
            expect(res.response.status).toBe(200);
            expect(res.data!.retrievals).toHaveLength(service.evidence.length);
            const cockpit = await owner.GET('/applicants/{subject}/evidence-retrievals', ofSubject);
            expect(cockpit.data!.retrievals.filter((r) => r.caseId === caseId)).toHaveLength(service.evidence.length);
          } finally {
            await api.close();
          }
        }
      },
      { registers },
    );
  });

  it('completes every case although the registers fail 30% of calls; the log lists every call the registers saw', async () => {
    const { sandbox, registers } = await startRegisters({ faults: { errorRate: 0.3 } });
    await withWorker(
      async ({ cases }) => {
        const kinds = ['resident', 'resident', 'resident', 'other_zone', 'not_holder', 'resident'] as const;
        const ids = await Promise.all(
          kinds.map(
            async (k, n) =>
              (
                await cases.submit({
                  ...applicationOf(k, n),
                  deadlines: { registerRetryInitialMs: 50, registerMaxAttempts: 12 },
                })
              ).caseId,
          ),
        );
        const outcomes = await Promise.all(ids.map(async (id) => (await cases.result(id)).outcome));
        expect(outcomes).toEqual(['approved', 'approved', 'approved', 'rejected', 'rejected', 'approved']);

        const logs = (await Promise.all(ids.map((caseId) => listRetrievalsOfCase(db, { caseId })))).flat();
        expect(logs.length).toBe(sandbox.requests.population + sandbox.requests.vehicles);
        expect(logs.filter((r) => r.result === 'error').length).toBeGreaterThan(0);
        expect(logs.filter((r) => r.result === 'found')).toHaveLength(ids.length * 2);
      },
      { registers },
    );
  });

  it('without consent calls no register and asks the applicant for the documents instead', async () => {
    const { sandbox, registers } = await startRegisters();
    await withWorker(
      async (e) => {
        const { caseId } = await e.cases.submit({
          ...applicationOf('resident'),
          consent: { evidenceRetrieval: false },
        });
        const state = await waitFor(e.cases, caseId, (s) => s.status === 'awaiting_applicant');
        expect(state.requestedEvidence?.map((r) => r.document)).toEqual([
          'Meldebescheinigung',
          'Zulassungsbescheinigung Teil I',
        ]);
        expect(sandbox.requests).toEqual({ population: 0, vehicles: 0, trade: 0, uploads: 0, gzr: 0 });
        expect(await listRetrievalsOfCase(db, { caseId })).toEqual([]);
        await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
      },
      { registers },
    );
  });
});

describe('missing evidence: request, upload, reminder, deadline', () => {
  it('asks the applicant when the register answers "not found", without retrying the register', async () => {
    const { sandbox, registers } = await startRegisters();
    await withWorker(
      async (e) => {
        const submission = applicationOf('resident');
        submission.identity.subject = 'pseudonym-zugezogen';
        const { caseId } = await e.cases.submit(submission);
        const state = await waitFor(e.cases, caseId, (s) => s.status === 'awaiting_applicant');
        expect(state.requestedEvidence?.map((r) => r.evidenceType)).toEqual(['residence']);
        expect((await listRetrievalsOfCase(db, { caseId })).map((r) => [r.evidenceType, r.result]).sort()).toEqual([
          ['residence', 'not_found'],
          ['vehicle_registration', 'found'],
        ]);
        expect(sandbox.requests.population).toBe(1);
        await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
      },
      { registers },
    );
  });

  it('asks for the upload when a register is down; refuses bad uploads; a checked upload completes the case', async () => {
    const { registers } = await startRegisters({ faultsByRegister: { vehicles: { down: true } } });
    await withWorker(
      async (e) => {
        const api = await listening(await httpApiFor(e, 512 * 1024));
        onTestFinished(() => api.close());
        const submission = applicationOf('resident');
        const { caseId } = await e.cases.submit({ ...submission, deadlines: fast });
        const owner = api.as(await applicantToken(submission.identity.subject));
        const onCase = { params: { path: { caseId } } };
        const state = await waitFor(e.cases, caseId, (s) => s.status === 'awaiting_applicant');
        expect(state.requestedEvidence).toEqual([
          {
            evidenceType: 'vehicle_registration',
            document: 'Zulassungsbescheinigung Teil I',
            purpose: 'Halterschaft des Fahrzeugs prüfen',
            dueAt: expect.any(String),
            status: 'requested',
          },
        ]);
        const [request] = await deliveredTexts(e, caseId);
        expect(request).toContain('Zulassungsbescheinigung');
        const log = await listRetrievalsOfCase(db, { caseId });
        expect(log.filter((r) => r.evidenceType === 'vehicle_registration').map((r) => r.result)).toEqual([
          'error',
          'error',
          'error',
        ]);

        const timeline = (await owner.GET('/cases/{caseId}/milestones', onCase)).data!;
        expect(timeline.milestones.find((m) => m.state === 'current')).toMatchObject({
          key: 'evidence_requested',
          note: expect.stringContaining('Unterlagen'),
        });

        // Multipart as a browser sends it; the typed body names the field, the bytes travel as FormData.
        const upload = async (form: FormData, evidenceType = 'vehicle_registration') => {
          const r = await owner.POST('/cases/{caseId}/evidence/{evidenceType}', {
            params: { path: { caseId, evidenceType } },
            body: form as unknown as { file: string },
          });
          return { statusCode: r.response.status, headers: r.response.headers, data: r.data, error: r.error };
        };
        const lying = await upload(uploadForm(PNG, 'zulassung.pdf', 'application/pdf'));
        expect(lying.statusCode).toBe(415);
        expect(lying.headers.get('content-type')).toContain('application/problem+json');
        expect(lying.error?.detail).toContain('PNG');
        expect(
          (await upload(uploadForm(Buffer.from('#!/bin/sh\necho hi\n'), 'zulassung.pdf', 'application/pdf')))
            .statusCode,
        ).toBe(415);
        expect(
          (
            await upload(
              uploadForm(
                Buffer.concat([Buffer.from(await pdfBytes()), Buffer.alloc(600 * 1024)]),
                'gross.pdf',
                'application/pdf',
              ),
            )
          ).statusCode,
        ).toBe(413);
        const unasked = await pdfBytes();
        expect((await upload(uploadForm(unasked, 'melde.pdf', 'application/pdf'), 'residence')).statusCode).toBe(409);
        // Refused by the case, so never stored.
        await expect(e.deps.documents.get(sha256Hex(unasked))).rejects.toThrow(/not stored/);
        expect((await e.cases.status(caseId)).status).toBe('awaiting_applicant');

        // Larger than the API's JSON body limit, within the upload limit.
        const pdf = Buffer.concat([Buffer.from(await pdfBytes()), Buffer.alloc(300 * 1024, 0x20)]);
        const accepted = await upload(uploadForm(pdf, 'Zulassung.PDF', 'application/pdf'));
        expect(accepted.statusCode).toBe(201);
        const ref = accepted.data!.document;
        expect(ref).toMatchObject({
          mediaType: 'application/pdf',
          size: pdf.byteLength,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(Buffer.compare(await e.deps.documents.get(ref.sha256), Buffer.from(pdf))).toBe(0);
        expect((await upload(uploadForm(pdf, 'nochmal.pdf', 'application/pdf'))).statusCode).toBe(409);
        // Recorded for retention, which erases it with the case.
        expect(await db.select().from(evidenceUploads).where(eq(evidenceUploads.caseId, caseId))).toEqual([
          expect.objectContaining({ evidenceType: 'vehicle_registration', documentSha256: ref.sha256 }),
        ]);

        // An uploaded document is for a person to read: the rules hand the case to a case worker, who decides.
        const review = await waitFor(e.cases, caseId, (s) => s.status === 'awaiting_case_worker');
        expect(review.decision?.facts).toMatchObject({ vehicleStatus: 'uploaded', residenceStatus: 'found' });
        await completeOpenTask(e, caseId, {
          caseWorker: 'sb.lang',
          outcome: 'approve',
          justification: 'Zulassungsbescheinigung geprüft.',
        });
        const result = await e.cases.result(caseId);
        expect(result.outcome).toBe('approved');
        const archive = await e.deps.archive.read(result.archive.packageSha256);
        expect(archive.Akte.Vorgang.Dokumente).toContainEqual(
          expect.objectContaining({
            Datei: expect.objectContaining({ Name: 'evidence-vehicle_registration.pdf', SHA256: ref.sha256 }),
          }),
        );
      },
      { registers },
    );
  });

  it('reminds before the deadline and, for residence, closes the case as incomplete with a notice', async () => {
    const { registers } = await startRegisters({ faultsByRegister: { population: { down: true } } });
    await withWorker(
      async (e) => {
        const { caseId } = await e.cases.submit({
          ...applicationOf('resident'),
          deadlines: { ...fast, evidenceReminderMs: 1_500, evidenceDeadlineMs: 3_000 },
        });
        const result = await e.cases.result(caseId);
        expect(result.outcome).toBe('incomplete');
        const events = (await listCaseEvents(db, { caseId })).map((ev) => ev.type);
        expect(events).toEqual(
          expect.arrayContaining([
            'evidence.requested_from_applicant',
            'evidence.reminder_sent',
            'evidence.request_closed',
          ]),
        );
        expect(events.indexOf('evidence.reminder_sent')).toBeLessThan(events.indexOf('evidence.request_closed'));
        const texts = await deliveredTexts(e, caseId);
        expect(texts).toHaveLength(3);
        expect(texts.filter((t) => t.includes('Erinnerung'))).toHaveLength(1);
        expect((await e.cases.status(caseId)).requestedEvidence?.map((r) => r.status)).toEqual(['expired']);
        const pdf = await e.deps.documents.get(result.bescheid.document.sha256);
        expect((await verifySealedPdf(pdf, await sealKeys.trustAnchors())).valid).toBe(true);
      },
      { registers },
    );
  });

  it('for the vehicle, decides on what is there after the deadline: the case goes to a case worker', async () => {
    const { registers } = await startRegisters({ faultsByRegister: { vehicles: { down: true } } });
    await withWorker(
      async (e) => {
        const { caseId } = await e.cases.submit({
          ...applicationOf('resident'),
          deadlines: { ...fast, evidenceReminderMs: 1_000, evidenceDeadlineMs: 2_000 },
        });
        const review = await waitFor(e.cases, caseId, (s) => s.status === 'awaiting_case_worker');
        expect(review.decision?.facts).toMatchObject({ residenceStatus: 'found', vehicleStatus: 'unavailable' });
        expect(review.requestedEvidence?.map((r) => r.status)).toEqual(['expired']);
        await completeOpenTask(e, caseId, {
          caseWorker: 'sb.lang',
          outcome: 'reject',
          justification: 'Halterschaft nicht nachgewiesen.',
        });
        expect((await e.cases.result(caseId)).outcome).toBe('rejected');
        expect((await listCaseEvents(db, { caseId })).map((ev) => ev.type)).toContain('evidence.reminder_sent');
      },
      { registers },
    );
  });
});

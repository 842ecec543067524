import { describe, expect, it } from 'vitest';
import { createFictionActivities } from '../activities/fiction.js';
import type { ActivityDeps } from '../activities/deps.js';
import { verifyEventChain } from '../db/event-chain.js';
import { listAkteDocuments } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listTasksOfCase } from '../db/queries/tasks.js';
import { findAuthority, sampleServices } from '../services/catalogue.js';
import { periodEnd } from '../services/legal-time.js';
import type { FictionState } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { CaseFiles } from '../http/workbench/index.js';
import { fictionLine } from '../http/workbench/views.js';
import { client, completeOpenTask, db, publicBaseUrl, testApi, type TestEngine, withWorker } from './harness.js';
import { applicantToken, call, staffToken } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';
import { waitFor, waitForStatus } from './support/wait.js';

// The sample Bewohnerparkausweis declares an approval by fiction: three months from the complete application, extendable
// once by up to two months. A company car goes to a case worker; time moves by configuration (`legalDayMs`).
const service = sampleServices.anwohnerparken;
const landOf = (authorityId: string) => findAuthority(service, authorityId).land!;

/** All text of a sealed PDF as its structure tree holds it. */
const textOf = async (e: TestEngine, sha256: string) =>
  (await inspectPdf(await e.deps.documents.get(sha256))).structure.map((el) => el.text).join('\n');

/** The API with the case file, as the workbench's case page reads it. */
const apiWithFiles = (e: TestEngine) =>
  testApi(e.cases, {
    workbench: { files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }), db },
    evidence: { db, documents: e.deps.documents, uploadMaxBytes: 1024 * 1024 },
  });

const fictionOf = async (e: TestEngine, caseId: string): Promise<FictionState> =>
  waitFor(async () => (await e.cases.status(caseId)).fiction, { what: 'the fiction period' });

describe.concurrent('approval by fiction (§ 42a VwVfG)', () => {
  it('no decision before the period ends: the task is cancelled, the case ends approved by fiction, the sealed certificate is filed and delivered', async () => {
    await withWorker(async (e) => {
      const submission = applicationOf('company_car', 6);
      // Three months are about 92 legal days: 92 × 400 ms, some 37 seconds after the application is complete, enough
      // for the fee in advance and the escalation under load.
      const { caseId } = await e.cases.submit({ ...submission, deadlines: { legalDayMs: 400 } });
      await waitForStatus(e.cases, caseId, 'awaiting_case_worker');
      const fiction = await fictionOf(e, caseId);
      expect(fiction).toMatchObject({ state: 'running', legalBasis: service.lifecycle!.fiction!.legalBasis });
      expect(fiction.endsOn).toBe(periodEnd(fiction.startedOn, { months: 3 }, landOf(submission.authorityId)).endsOn);

      // The applicant sees the period and its end while the case waits.
      const api = await apiWithFiles(e);
      const applicant = await applicantToken(submission.identity.subject);
      const waiting = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(waiting.body).toMatchObject({ fiction: { state: 'running', endsOn: fiction.endsOn, extended: false } });

      const end = await e.cases.result(caseId);
      expect(end.outcome).toBe('approved_by_fiction');
      expect(end.decision).toBeUndefined();
      expect(await getCase(db, { caseId })).toMatchObject({ status: 'closed', outcome: 'approved_by_fiction' });
      expect((await listTasksOfCase(db, { caseId })).map((t) => t.state)).toEqual(['cancelled']);

      // The certificate: sealed, in the Akte under its own id, once in the postbox under its effect key.
      const akte = await listAkteDocuments(db, { caseId });
      const entry = akte.find((d) => d.documentId === `${caseId}:fiction-certificate`);
      expect(entry).toMatchObject({ kind: 'bescheid', sha256: end.bescheid.document.sha256 });
      expect(akte.some((d) => d.documentId === `${caseId}:bescheid`)).toBe(false);
      const deliveries = await listDeliveries(db, { caseId });
      expect(deliveries.filter((d) => d.deliveryId === end.delivery.deliveryId)).toHaveLength(1);
      expect(deliveries.find((d) => d.deliveryId === end.delivery.deliveryId)?.subject).toContain('gilt als genehmigt');
      const text = await textOf(e, end.bescheid.document.sha256);
      expect(text).toContain('Bescheinigung über den Eintritt der Genehmigungsfiktion');
      expect(text).toContain('§ 42a Abs. 3 VwVfG');
      expect(text).toContain(service.lifecycle!.fiction!.legalBasis);
      expect(text).toContain('Diese Bescheinigung wurde elektronisch erstellt');

      const events = await listCaseEvents(db, { caseId });
      expect(verifyEventChain(events).valid).toBe(true);
      const types = events.map((ev) => ev.type);
      expect(types).toEqual(expect.arrayContaining(['fiction.started', 'fiction.occurred', 'task.cancelled']));
      expect(types).not.toContain('bescheid.rendering');
      expect(types.at(-1)).toBe('case.closed');

      const closed = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(closed.body).toMatchObject({ outcome: 'approved_by_fiction', fiction: { state: 'occurred' } });
      // After the end no extension is possible.
      const caseWorker = await staffToken('sb.sara', submission.authorityId);
      const late = await call(api, 'POST', `/cases/${caseId}/fiction-extension`, caseWorker, {
        reason: 'Zu spät.',
        period: { months: 1 },
      });
      expect(late.status).toBeGreaterThanOrEqual(400);
      await api.close();
    });
  });

  it('extended once with a reason (the applicant gets a letter; a second time and beyond the maximum refused), then decided in time: a normal Bescheid', async () => {
    await withWorker(async (e) => {
      const submission = applicationOf('company_car', 7);
      const { authorityId } = submission;
      const { caseId } = await e.cases.submit({ ...submission, deadlines: { legalDayMs: 5_000 } });
      await waitForStatus(e.cases, caseId, 'awaiting_case_worker');
      const before = await fictionOf(e, caseId);
      const api = await apiWithFiles(e);
      const caseWorker = await staffToken('sb.sara', authorityId);
      const applicant = await applicantToken(submission.identity.subject);
      const extend = (body: object, token = caseWorker) =>
        call(api, 'POST', `/cases/${caseId}/fiction-extension`, token, body);

      expect((await extend({ reason: 'x', period: { months: 1 } }, applicant)).status).toBe(403);
      const tooLong = await extend({ reason: 'Gutachten nötig.', period: { months: 3 } });
      expect(tooLong.status, JSON.stringify(tooLong.body)).toBe(409);
      const ok = await extend({ reason: 'Ein Gutachten zur Stellplatzlage ist einzuholen.', period: { months: 1 } });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      const endsOn = periodEnd(before.endsOn, { months: 1 }, landOf(authorityId)).endsOn;
      expect(ok.body).toEqual({ caseId, endsOn });
      const again = await extend({ reason: 'Noch einmal.', period: { weeks: 1 } });
      expect(again.status).toBe(409);
      expect(JSON.stringify(again.body)).toContain('bereits einmal verlängert');

      const after = await e.cases.status(caseId);
      expect(after.fiction).toMatchObject({ state: 'running', endsOn, extension: { previousEndsOn: before.endsOn } });
      const milestones = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(milestones.body).toMatchObject({ fiction: { state: 'running', endsOn, extended: true } });
      // The workbench's case page: the overview panel carries the period, the page shows it in one line.
      const overview = await call(api, 'GET', `/cases/${caseId}/file/overview`, caseWorker);
      expect(overview.body).toMatchObject({ fiction: { endsOn, extension: { by: 'sb.sara' } } });
      const line = fictionLine((overview.body as { fiction: FictionState }).fiction).toString();
      expect(line).toContain(`Frist endet am <strong>${endsOn.split('-').reverse().join('.')}</strong>`);
      expect(line).toContain('Ein Gutachten zur Stellplatzlage ist einzuholen.');

      // The letter: in the Akte and once in the postbox, under its effect key.
      const letter = (await listAkteDocuments(db, { caseId })).find(
        (d) => d.documentId === `${caseId}:fiction-extension`,
      );
      expect(letter).toMatchObject({ kind: 'letter' });
      const sent = (await listDeliveries(db, { caseId })).filter((d) => d.subject.startsWith('Fristverlängerung'));
      expect(sent).toHaveLength(1);
      const letterText = (await e.deps.documents.get(sent[0]!.documentSha256)).toString('utf8');
      expect(letterText).toContain('Ein Gutachten zur Stellplatzlage ist einzuholen.');
      expect(effectKey(caseId, 'fiction-extension')).toBe(`case:${caseId}:fiction-extension`);

      await completeOpenTask(e, caseId, { caseWorker: 'sb.sara', outcome: 'approve', justification: 'Dienstwagen.' });
      const end = await e.cases.result(caseId);
      expect(end.outcome).toBe('approved');
      expect((await e.cases.view(caseId))?.fiction).toMatchObject({ state: 'decided', endsOn });
      const types = (await listCaseEvents(db, { caseId })).map((ev) => ev.type);
      expect(types).toEqual(expect.arrayContaining(['fiction.started', 'fiction.extended', 'bescheid.rendering']));
      expect(types).not.toContain('fiction.occurred');
      expect((await extend({ reason: 'Nach der Entscheidung.', period: { days: 1 } })).status).toBe(409);
      await api.close();
    });
  });
});

describe('the period of an approval by fiction (pure)', () => {
  const fiction = createFictionActivities({} as ActivityDeps);
  const nrw = Object.keys(service.authorities).find((id) => service.authorities[id]!.land === 'NW')!;
  const brandenburg = Object.keys(service.authorities).find((id) => service.authorities[id]!.land === 'BB')!;

  it('ends on Fronleichnam in Nordrhein-Westfalen: moves to the next working day (§ 31 Abs. 3 VwVfG); not elsewhere', async () => {
    // Complete on Wednesday 4 March 2026: three months later is Thursday 4 June 2026, Fronleichnam.
    const at = '2026-03-04T10:00:00+01:00';
    const plan = await fiction.planFiction({ serviceKey: service.key, authorityId: nrw, at });
    expect(plan).toMatchObject({ startedOn: '2026-03-04', endsOn: '2026-06-05', legalDays: 94 });
    const other = await fiction.planFiction({ serviceKey: service.key, authorityId: brandenburg, at });
    expect(other).toMatchObject({ startedOn: '2026-03-04', endsOn: '2026-06-04', legalDays: 93 });
  });

  it('an extension within the service maximum moves the end from the current end; beyond it is refused', async () => {
    const base = { serviceKey: service.key, authorityId: nrw, startedOn: '2026-03-04', endsOn: '2026-06-05' };
    expect(await fiction.planFictionExtension({ ...base, period: { months: 1 } })).toEqual({
      endsOn: '2026-07-06', // 5 July 2026 is a Sunday
      legalDays: 125,
    });
    expect(await fiction.planFictionExtension({ ...base, period: { months: 3 } })).toHaveProperty('refusal');
  });
});

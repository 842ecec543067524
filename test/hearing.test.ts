import { describe, expect, it } from 'vitest';
import { verifyEventChain } from '../db/event-chain.js';
import { findAkteDocument, listAkteDocuments } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listTasksOfCase } from '../db/queries/tasks.js';
import { lastenradApplication } from '../dev/demo/sample-other-services.js';
import { statementDueOn } from '../activities/hearing.js';
import { berlinDate } from '../services/legal-time.js';
import { statementRefusalOf } from '../workflows/hearing.js';
import type { CaseState } from '../workflows/contracts/case.js';
import { db, httpApiFor, type TestEngine, withWorker } from './harness.js';
import { applicantToken, call } from './http-helpers.js';
import { inspectPdf } from './support/pdf-tools.js';
import { waitFor, waitForStatus } from './support/wait.js';

// Smallest file whose content reads as a PDF (the upload check goes by content).
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');

const textOf = async (e: TestEngine, sha256: string) =>
  (await inspectPdf(await e.deps.documents.get(sha256))).structure.map((el) => el.text).join('\n');

/** The hearing's task, open in the inbox once the hearing closed. */
const hearingTask = (caseId: string) =>
  waitFor(
    async () =>
      (await listTasksOfCase(db, { caseId })).find((t) => t.taskId === `${caseId}:hearing` && t.state === 'open'),
    { what: 'the open hearing task', timeoutMs: 60_000 },
  );

/** The cargo-bike grant decides under four-eyes: one case worker proposes, another confirms. */
async function decide(e: TestEngine, caseId: string, outcome: 'approve' | 'reject', reasons: string) {
  const taskId = `${caseId}:hearing`;
  const authorityId = 'stadt-musterstadt';
  const first = { id: 'sb.hanna', role: 'case_worker' as const, authorityId };
  const second = { id: 'sb.henrik', role: 'case_worker' as const, authorityId };
  await e.tasks.act(caseId, { action: 'claim', taskId, actor: first });
  await e.tasks.act(caseId, {
    action: 'complete',
    taskId,
    actor: first,
    outcome,
    justification: 'Stellungnahme gewürdigt.',
    reasonsForApplicant: reasons,
  });
  await waitFor(async () => (await e.cases.status(caseId)).task?.stage === 'second_approval', {
    what: 'the proposal awaiting a second case worker',
  });
  await e.tasks.act(caseId, { action: 'claim', taskId, actor: second });
  await e.tasks.act(caseId, { action: 'complete', taskId, actor: second, outcome, justification: 'Bestätigt.' });
}

describe.concurrent('hearing before a rejection (§ 28 VwVfG)', () => {
  it('rejected by the rules: the hearing letter in the postbox and the Akte, the statement by HTTP, the task shows it, the case worker rejects', async () => {
    await withWorker(async (e) => {
      // Legal days of an hour: the statement comes long before the deadline.
      const submission = { ...lastenradApplication('not_resident', 44), deadlines: { legalDayMs: 3_600_000 } };
      const { caseId } = await e.cases.submit(submission);
      await waitForStatus(e.cases, caseId, 'hearing');
      const dueOn = statementDueOn(submission.serviceKey, submission.authorityId, berlinDate(new Date()));

      // The letter: filed as PDF, in the postbox once, with the intended decision, its reasons and the deadline.
      const letter = await findAkteDocument(db, { documentId: `${caseId}:hearing-letter` });
      expect(letter).toMatchObject({ kind: 'hearing_letter', mediaType: 'application/pdf' });
      const letterText = await textOf(e, letter!.sha256);
      expect(letterText).toContain('Ihren Antrag abzulehnen');
      expect(letterText).toContain('Kein Wohnsitz in der Stadt laut Melderegister.');
      expect(letterText).toContain(`${dueOn.slice(8, 10)}.${dueOn.slice(5, 7)}.${dueOn.slice(0, 4)}`);
      const letters = (await listDeliveries(db, { caseId })).filter((d) => d.subject.startsWith('Anhörung'));
      expect(letters.map((d) => d.documentSha256)).toEqual([letter!.sha256]);

      // The applicant's view: the state and the next deadline.
      const api = await httpApiFor(e);
      const applicant = await applicantToken(submission.identity.subject);
      const stranger = await applicantToken('pseudonym-someone-else');
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({
        status: 'hearing',
        hearing: { status: 'awaiting_statement', statementDueOn: dueOn },
      });
      const inReview = (
        view.body as { milestones: Array<{ key: string; state: string; note?: string }> }
      ).milestones.find((m) => m.key === 'in_review');
      expect(inReview).toMatchObject({ state: 'current', note: expect.stringContaining('Stellung nehmen') });

      const statement = {
        text: 'Ich bin zum 1. des Monats nach Musterstadt gezogen; die Anmeldung lag dem Amt schon vor.',
        attachments: [{ fileName: 'meldebestaetigung.pdf', content: PDF }],
      };
      expect((await call(api, 'POST', `/cases/${caseId}/hearing-statement`, stranger, statement)).status).toBe(404);
      // An attachment whose content is no PDF refuses the statement, naming the file; the hearing still waits for one.
      const notAPdf = { fileName: 'notiz.pdf', content: Buffer.from('nur Text').toString('base64') };
      const refused = await call(api, 'POST', `/cases/${caseId}/hearing-statement`, applicant, {
        ...statement,
        attachments: [...statement.attachments, notAPdf],
      });
      expect(refused.status).toBe(415);
      expect(refused.body).toMatchObject({ detail: expect.stringMatching(/^Anlage notiz\.pdf: Erlaubt sind PDF/) });
      const res = await call(api, 'POST', `/cases/${caseId}/hearing-statement`, applicant, statement);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect((await call(api, 'POST', `/cases/${caseId}/hearing-statement`, applicant, statement)).status).toBe(409);

      // The statement in the Akte; the task in the inbox says the hearing is over and a statement arrived.
      const task = await hearingTask(caseId);
      expect(task.reason).toContain('Anhörung abgeschlossen');
      expect(task.reason).toContain('Stellungnahme');
      expect(task.candidateGroup).toBe('stadt-musterstadt:foerderung');
      const filed = await findAkteDocument(db, { documentId: `${caseId}:hearing-statement` });
      expect(filed).toMatchObject({ kind: 'hearing_statement', content: { text: statement.text } });
      expect((await listAkteDocuments(db, { caseId })).find((d) => d.title === 'meldebestaetigung.pdf')).toMatchObject({
        kind: 'upload',
      });
      expect((await e.cases.status(caseId)).hearing).toMatchObject({
        status: 'closed',
        statementReceivedAt: expect.any(String),
      });

      await decide(e, caseId, 'reject', 'Die Anmeldung erfolgte nach der Anschaffung des Lastenrads.');
      const result = await e.cases.result(caseId);
      expect(result.outcome).toBe('rejected');
      const bescheid = await textOf(e, result.bescheid.document.sha256);
      expect(bescheid).toContain('angehört');
      expect(bescheid).toContain('Die Anmeldung erfolgte nach der Anschaffung des Lastenrads.');

      // One letter, however the case went on; the log in order.
      expect((await listDeliveries(db, { caseId })).filter((d) => d.subject.startsWith('Anhörung'))).toHaveLength(1);
      const events = await listCaseEvents(db, { caseId });
      expect(events.map((ev) => ev.type)).toEqual(
        expect.arrayContaining(['hearing.letter_sent', 'hearing.statement_received', 'hearing.closed', 'case.closed']),
      );
      expect(verifyEventChain(events)).toMatchObject({ valid: true });
      await api.close();
    });
  }, 240_000);

  it('no statement: the deadline passes by legal days, the task says so, the case worker approves', async () => {
    await withWorker(async (e) => {
      // Two weeks and a day or so of 150 ms days: the deadline passes within seconds.
      const submission = { ...lastenradApplication('not_resident', 45), deadlines: { legalDayMs: 150 } };
      const { caseId } = await e.cases.submit(submission);
      const task = await hearingTask(caseId);
      expect(task.reason).toContain('Anhörung abgeschlossen');
      expect(task.reason).toContain('keine Stellungnahme');
      expect((await e.cases.status(caseId)).hearing).toMatchObject({ status: 'closed' });
      expect((await e.cases.status(caseId)).hearing?.statementReceivedAt).toBeUndefined();

      await decide(e, caseId, 'approve', 'Der Wohnsitz in Musterstadt ist inzwischen nachgewiesen.');
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
      const types = (await listCaseEvents(db, { caseId })).map((ev) => ev.type);
      expect(types).toContain('hearing.closed');
      expect(types).not.toContain('hearing.statement_received');
    });
  }, 240_000);

  it("a case worker's rejection is heard too: after the escalation's task the letter, then the hearing's task", async () => {
    await withWorker(async (e) => {
      const submission = { ...lastenradApplication('expensive', 47), deadlines: { legalDayMs: 150 } };
      const { caseId } = await e.cases.submit(submission);
      await waitForStatus(e.cases, caseId, 'awaiting_case_worker');
      const review = `${caseId}:review`;
      const authorityId = 'stadt-musterstadt';
      const first = { id: 'sb.hanna', role: 'case_worker' as const, authorityId };
      const second = { id: 'sb.henrik', role: 'case_worker' as const, authorityId };
      await waitFor(async () => e.tasks.find(review), { what: 'the review task', timeoutMs: 30_000 });
      await e.tasks.act(caseId, { action: 'claim', taskId: review, actor: first });
      const reasonsForApplicant = 'Das Rad ist nach dem Datenblatt kein Lastenrad im Sinne der Richtlinie.';
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId: review,
        actor: first,
        outcome: 'reject',
        justification: 'Datenblatt geprüft.',
        reasonsForApplicant,
      });
      await waitFor(async () => (await e.cases.status(caseId)).task?.stage === 'second_approval', {
        what: 'the proposal awaiting a second case worker',
      });
      await e.tasks.act(caseId, { action: 'claim', taskId: review, actor: second });
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId: review,
        actor: second,
        outcome: 'reject',
        justification: 'Ja.',
      });

      const task = await hearingTask(caseId);
      expect(task.reason).toContain(reasonsForApplicant);
      const letter = await findAkteDocument(db, { documentId: `${caseId}:hearing-letter` });
      expect(await textOf(e, letter!.sha256)).toContain('kein Lastenrad im Sinne der Richtlinie');
      await decide(e, caseId, 'reject', 'Auch nach der Anhörung bleibt es dabei.');
      expect((await e.cases.result(caseId)).outcome).toBe('rejected');
    });
  }, 240_000);

  it("an exception of § 28 Abs. 2 VwVfG: the rule's rejection goes out without a hearing and says why", async () => {
    await withWorker(async (e) => {
      const submission = lastenradApplication('not_cargo_bike', 46);
      const { caseId } = await e.cases.submit(submission);
      const result = await e.cases.result(caseId);
      expect(result.outcome).toBe('rejected');
      expect((await listAkteDocuments(db, { caseId })).map((d) => d.kind)).not.toContain('hearing_letter');
      const skipped = (await listCaseEvents(db, { caseId })).find((ev) => ev.type === 'hearing.skipped');
      expect(skipped?.data).toMatchObject({
        rules: ['not-a-cargo-bike'],
        why: expect.stringContaining('§ 28 Abs. 2 Nr. 3'),
      });
      const bescheid = await textOf(e, result.bescheid.document.sha256);
      expect(bescheid).toContain('Von einer Anhörung wurde abgesehen');
      const api = await httpApiFor(e);
      const applicant = await applicantToken(submission.identity.subject);
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({ hearing: { status: 'skipped', why: expect.stringContaining('Rechnung') } });
      expect((await call(api, 'POST', `/cases/${caseId}/hearing-statement`, applicant, { text: 'Doch.' })).status).toBe(
        409,
      );
      await api.close();
    });
  }, 240_000);

  it("the statement period runs from the letter's day and moves off the Land's holidays and the weekend", () => {
    const { serviceKey, authorityId } = lastenradApplication('not_resident', 44);
    // Two weeks from Friday 11 December 2026 end on Christmas Day; 26 and 27 December pass too (NW).
    expect(statementDueOn(serviceKey, authorityId, '2026-12-11')).toBe('2026-12-28');
    expect(statementDueOn(serviceKey, authorityId, '2026-12-07')).toBe('2026-12-21');
  });

  it('refuses a statement from someone else, twice, or when no hearing waits', () => {
    const state = {
      applicantSubject: 'a',
      hearing: { status: 'awaiting_statement', statementDueOn: '2026-12-21' },
    } as CaseState;
    const s = { subject: 'a', text: 'Stellungnahme', attachments: [] };
    expect(statementRefusalOf(state, s)).toBeUndefined();
    expect(statementRefusalOf(state, { ...s, subject: 'b' })).toContain('antragstellende Person');
    expect(statementRefusalOf({ ...state, hearing: { ...state.hearing!, statementReceivedAt: 'x' } }, s)).toContain(
      'bereits',
    );
    expect(statementRefusalOf({ ...state, hearing: undefined }, s)).toContain('keine Anhörung');
  });
});

import { describe, expect, it } from 'vitest';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { db, withWorker } from './harness.js';
import { apiFor, applicantToken, call, staffToken, submitOverHttp, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';

const STADT = 'stadt-musterstadt';
const DORF = 'gemeinde-beispieldorf';

/** Submits a company-car case over HTTP as its applicant and waits until a task waits for a case worker. */
async function escalatedCase(api: Awaited<ReturnType<typeof apiFor>>, authorityId = STADT, nth = 0) {
  const submission = { ...applicationOf('company_car', nth), authorityId };
  const applicant = await applicantToken(submission.identity.subject);
  const submitted = await submitOverHttp(api, submission);
  expect(submitted.status).toBe(202);
  const caseId: string = submitted.body.caseId;
  const staff = await staffToken('sb.anna', authorityId);
  const taskId = await waitFor('the task in the inbox', async () => {
    const inbox = await call(api, 'GET', `/tasks?state=open&serviceKey=${submission.serviceKey}`, staff);
    return inbox.body.items.find((t: { caseId: string }) => t.caseId === caseId)?.taskId as string | undefined;
  });
  return { caseId, taskId, applicant, subject: submission.identity.subject };
}

const eventTypes = async (caseId: string) => (await listCaseEvents(db, { caseId })).map((e) => e.type);

describe('case-worker tasks over HTTP (real Temporal, PostgreSQL and fastify)', () => {
  it('escalation opens a task in the inbox; claim and complete resume the case, every action in the timeline', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      const { caseId, taskId, applicant } = await escalatedCase(api);
      const anna = await staffToken('sb.anna', STADT);

      const inbox = await call(api, 'GET', `/tasks?state=open&limit=50`, anna);
      expect(inbox.body.items.find((t: { taskId: string }) => t.taskId === taskId)).toMatchObject({
        caseId,
        authorityId: STADT,
        candidateGroup: `${STADT}:sachbearbeitung`,
        priority: 'normal',
        fourEyes: false,
        reason: expect.stringContaining('Firmen'),
      });
      const ids = async (query: string) =>
        (await call(api, 'GET', `/tasks?${query}`, anna)).body.items.map((t: { taskId: string }) => t.taskId);
      expect(await ids('dueBefore=2026-01-01T00:00:00Z')).not.toContain(taskId);
      expect(
        await ids(`dueBefore=${encodeURIComponent(new Date(Date.now() + 30 * 24 * 3600_000).toISOString())}&limit=100`),
      ).toContain(taskId);
      expect(await ids('serviceKey=00000000000000')).toEqual([]);
      const page = (await call(api, 'GET', '/tasks?limit=1&offset=0', anna)).body;
      expect(page).toMatchObject({ limit: 1, offset: 0, total: expect.any(Number) });
      expect(page.items).toHaveLength(1);
      const claimed = await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {});
      expect(claimed.body).toMatchObject({ state: 'claimed', assignee: 'sb.anna' });
      expect(
        (await call(api, 'GET', `/tasks?assignee=sb.anna&state=claimed`, anna)).body.items.map(
          (t: { taskId: string }) => t.taskId,
        ),
      ).toContain(taskId);

      const done = await call(api, 'POST', `/tasks/${taskId}/complete`, anna, {
        outcome: 'approve',
        justification: 'Arbeitsvertrag belegt private Nutzung.',
      });
      expect(done.status).toBe(200);
      expect(done.body.state).toBe('completed');
      const result = await e.cases.result(caseId);
      expect(result.outcome).toBe('approved');
      expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.anna' });
      expect((await call(api, 'GET', `/tasks/${taskId}`, anna)).body).toMatchObject({
        state: 'completed',
        completedBy: 'sb.anna',
        outcome: 'approve',
      });

      const staffTimeline = (await call(api, 'GET', `/cases/${caseId}/timeline`, anna)).body as Array<{
        type: string;
        at: string;
        data: Record<string, unknown>;
      }>;
      expect(staffTimeline.find((x) => x.type === 'task.claimed')?.data).toMatchObject({ taskId, by: 'sb.anna' });
      expect(staffTimeline.find((x) => x.type === 'task.completed')?.data).toMatchObject({
        by: 'sb.anna',
        justification: 'Arbeitsvertrag belegt private Nutzung.',
      });
      const applicantTimeline = (await call(api, 'GET', `/cases/${caseId}/timeline`, applicant)).body as Array<
        Record<string, unknown>
      >;
      expect(applicantTimeline.map((x) => x['type'])).toEqual(staffTimeline.map((x) => x.type));
      expect(applicantTimeline.every((x) => !('data' in x))).toBe(true);
    });
  });

  it('four-eyes: the same person cannot confirm their own proposal; a second case worker can', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      const { caseId, taskId } = await escalatedCase(api, DORF, 1);
      const anna = await staffToken('sb.anna', DORF);
      const ben = await staffToken('sb.ben', DORF);

      await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {});
      const proposed = await call(api, 'POST', `/tasks/${taskId}/complete`, anna, {
        outcome: 'reject',
        justification: 'Keine private Nutzung belegt.',
      });
      expect(proposed.body).toMatchObject({
        state: 'open',
        stage: 'second_approval',
        proposal: { by: 'sb.anna', outcome: 'reject' },
      });
      expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');

      const again = await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {});
      expect(again.status).toBe(403);
      expect(again.body.detail).toMatch(/four-eyes/);
      await call(api, 'POST', `/tasks/${taskId}/claim`, ben, {});
      const disagree = await call(api, 'POST', `/tasks/${taskId}/complete`, ben, {
        outcome: 'approve',
        justification: 'Doch.',
      });
      expect(disagree.status).toBe(409);
      expect(
        (await call(api, 'POST', `/tasks/${taskId}/complete`, ben, { outcome: 'reject', justification: 'Bestätigt.' }))
          .status,
      ).toBe(200);

      const result = await e.cases.result(caseId);
      expect(result.outcome).toBe('rejected');
      expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.anna', confirmedBy: 'sb.ben' });
      expect(await eventTypes(caseId)).toEqual(expect.arrayContaining(['task.proposed', 'task.completed']));
    });
  });

  it('an overdue task reminds before its due date, then escalates to the supervisors', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      const submission = {
        ...applicationOf('company_car', 2),
        deadlines: { caseWorkerMs: 2_500, caseWorkerReminderMs: 1_500 },
      };
      const { caseId } = await e.cases.submit(submission);
      const chef = await staffToken('sv.chef', STADT, 'supervisor');
      const anna = await staffToken('sb.anna', STADT);
      const taskId = `${caseId}:review`;

      const reminded = await waitFor(
        'the reminder',
        async () => (await call(api, 'GET', `/tasks/${taskId}`, anna)).body?.remindedAt as string | undefined,
      );
      const escalated = await waitFor('the escalation', async () => {
        const t = (await call(api, 'GET', `/tasks/${taskId}`, anna)).body;
        return t?.escalatedAt ? t : undefined;
      });
      expect(Date.parse(reminded)).toBeLessThan(Date.parse(escalated.dueAt));
      expect(escalated).toMatchObject({ candidateGroup: `${STADT}:aufsicht`, priority: 'high' });
      // The row and the event are written side by side: wait for the event too.
      const taskEvents = await waitFor('the escalation event', async () => {
        const types = (await eventTypes(caseId)).filter((t) => t.startsWith('task.'));
        return types.includes('task.escalated') && types;
      });
      expect(taskEvents).toEqual(['task.opened', 'task.reminder', 'task.escalated']);

      expect((await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {})).status).toBe(403);
      expect((await call(api, 'POST', `/tasks/${taskId}/claim`, chef, {})).status).toBe(200);
      await call(api, 'POST', `/tasks/${taskId}/complete`, chef, {
        outcome: 'approve',
        justification: 'Von der Aufsicht entschieden.',
      });
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
    });
  });

  it('asks the applicant: the question reaches their postbox, the case waits, the reply resumes it; an unanswered question expires', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      const submission = { ...applicationOf('company_car', 3), deadlines: { applicantReplyMs: 4_000 } };
      const applicant = await applicantToken(submission.identity.subject);
      // Deadlines are not part of the public submission: the typed client sets them in seconds for the test.
      const { caseId } = await e.cases.submit(submission);
      const taskId = `${caseId}:review`;
      const anna = await staffToken('sb.anna', STADT);
      await waitFor('the task', async () => (await call(api, 'GET', `/tasks/${taskId}`, anna)).status === 200);
      await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {});

      const asked = await call(api, 'POST', `/tasks/${taskId}/questions`, anna, {
        kind: 'document',
        text: 'Bitte Arbeitsvertrag nachreichen.',
      });
      expect(asked.status).toBe(200);
      const questionId: string = asked.body.openQuestion.questionId;
      const [letter] = await listDeliveries(db, { caseId });
      expect(letter?.recipient).toBe(submission.identity.subject);
      expect(JSON.parse((await e.deps.documents.get(letter!.documentSha256)).toString())).toMatchObject({
        questionId,
        text: 'Bitte Arbeitsvertrag nachreichen.',
      });
      const seen = (await call(api, 'GET', `/cases/${caseId}`, applicant)).body;
      expect(seen.openQuestion).toMatchObject({
        questionId,
        kind: 'document',
        text: 'Bitte Arbeitsvertrag nachreichen.',
      });
      expect(seen.task).toBeUndefined();
      expect(
        (await call(api, 'POST', `/tasks/${taskId}/complete`, anna, { outcome: 'approve', justification: 'x' })).status,
      ).toBe(409);

      const other = await applicantToken('pseudonym-somebody-else');
      expect((await call(api, 'POST', `/cases/${caseId}/replies`, other, { questionId, answer: 'Hallo' })).status).toBe(
        404,
      );
      const replied = await call(api, 'POST', `/cases/${caseId}/replies`, applicant, {
        questionId,
        answer: 'Arbeitsvertrag anbei, § 3 erlaubt private Nutzung.',
      });
      expect(replied).toMatchObject({ status: 200, body: { accepted: true } });
      expect(
        (await call(api, 'POST', `/cases/${caseId}/replies`, applicant, { questionId, answer: 'nochmal' })).status,
      ).toBe(409);
      const events = await listCaseEvents(db, { caseId });
      expect(events.find((x) => x.type === 'applicant.replied')?.data).toMatchObject({
        questionId,
        answer: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });

      const second = await call(api, 'POST', `/tasks/${taskId}/questions`, anna, { text: 'Noch eine Frage?' });
      expect(second.body.openQuestion).toMatchObject({ questionId: `${taskId}:q2`, kind: 'question' });
      await waitFor('the expired question', async () => (await eventTypes(caseId)).includes('applicant.reply_overdue'));
      expect((await call(api, 'GET', `/cases/${caseId}`, applicant)).body.openQuestion).toBeUndefined();
      expect(
        (
          await call(api, 'POST', `/tasks/${taskId}/complete`, anna, {
            outcome: 'approve',
            justification: 'Vertrag liegt vor.',
          })
        ).status,
      ).toBe(200);
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
    });
  });
});

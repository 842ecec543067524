import { describe, expect, it } from 'vitest';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { db, withWorker } from './harness.js';
import { applicantToken, idp, listeningApi, staffToken, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';
import type { paths } from '../client/http/index.js';

const STADT = 'stadt-musterstadt';
const DORF = 'gemeinde-beispieldorf';

type Api = Awaited<ReturnType<typeof listeningApi>>;

/** Submits a company-car case through the generated client as the portal does, and waits until a task waits for a case worker. */
async function escalatedCase(api: Api, authorityId = STADT, nth = 0) {
  const submission = { ...applicationOf('company_car', nth), authorityId };
  const applicant = await applicantToken(submission.identity.subject);
  const identityToken = await idp.issue({
    subject: submission.identity.subject,
    trustLevel: submission.identity.trustLevel,
  });
  const submitted = await api.as().POST('/cases', {
    body: {
      serviceKey: submission.serviceKey,
      authorityId,
      identityToken,
      application: submission.application,
      consent: submission.consent,
    },
  });
  expect(submitted.response.status).toBe(202);
  const caseId = submitted.data!.caseId;
  const staff = api.as(await staffToken('sb.anna', authorityId));
  const taskId = await waitFor('the task in the inbox', async () => {
    const inbox = await staff.GET('/tasks', {
      params: { query: { state: 'open', serviceKey: submission.serviceKey } },
    });
    return inbox.data?.items.find((t) => t.caseId === caseId)?.taskId;
  });
  return { caseId, taskId, applicant, subject: submission.identity.subject };
}

/** Runs a test with the API listening for it, closing it afterwards. */
const withApi = (e: Parameters<typeof listeningApi>[0], fn: (api: Api) => Promise<void>) =>
  listeningApi(e).then(async (api) => {
    try {
      await fn(api);
    } finally {
      await api.close();
    }
  });

const eventTypes = async (caseId: string) => (await listCaseEvents(db, { caseId })).map((e) => e.type);

describe('case-worker tasks over HTTP (real Temporal, PostgreSQL and fastify)', () => {
  it('escalation opens a task in the inbox; claim and complete resume the case, every action in the timeline', async () => {
    await withWorker((e) =>
      withApi(e, async (api) => {
        const { caseId, taskId, applicant } = await escalatedCase(api);
        const anna = api.as(await staffToken('sb.anna', STADT));

        const inbox = await anna.GET('/tasks', { params: { query: { state: 'open', limit: 50 } } });
        expect(inbox.data!.items.find((t) => t.taskId === taskId)).toMatchObject({
          caseId,
          authorityId: STADT,
          candidateGroup: `${STADT}:sachbearbeitung`,
          priority: 'normal',
          fourEyes: false,
          reason: expect.stringContaining('Firmen'),
        });
        type TaskQuery = NonNullable<paths['/tasks']['get']['parameters']['query']>;
        const ids = async (query: TaskQuery) =>
          (await anna.GET('/tasks', { params: { query } })).data!.items.map((t) => t.taskId);
        expect(await ids({ dueBefore: '2026-01-01T00:00:00Z' })).not.toContain(taskId);
        expect(await ids({ dueBefore: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(), limit: 100 })).toContain(
          taskId,
        );
        expect(await ids({ serviceKey: '00000000000000' })).toEqual([]);
        const page = (await anna.GET('/tasks', { params: { query: { limit: 1, offset: 0 } } })).data!;
        expect(page).toMatchObject({ limit: 1, offset: 0, total: expect.any(Number) });
        expect(page.items).toHaveLength(1);
        const task = { params: { path: { taskId } } };
        const claimed = await anna.POST('/tasks/{taskId}/claim', { ...task, body: {} });
        expect(claimed.data).toMatchObject({ state: 'claimed', assignee: 'sb.anna' });
        expect(await ids({ assignee: 'sb.anna', state: 'claimed' })).toContain(taskId);

        const done = await anna.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'approve', justification: 'Arbeitsvertrag belegt private Nutzung.' },
        });
        expect(done.response.status).toBe(200);
        expect(done.data!.state).toBe('completed');
        const result = await e.cases.result(caseId);
        expect(result.outcome).toBe('approved');
        expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.anna' });
        expect((await anna.GET('/tasks/{taskId}', task)).data).toMatchObject({
          state: 'completed',
          completedBy: 'sb.anna',
          outcome: 'approve',
        });

        const onCase = { params: { path: { caseId } } };
        const staffTimeline = (await anna.GET('/cases/{caseId}/timeline', onCase)).data!;
        expect(staffTimeline.find((x) => x.type === 'task.claimed')?.data).toMatchObject({ taskId, by: 'sb.anna' });
        expect(staffTimeline.find((x) => x.type === 'task.completed')?.data).toMatchObject({
          by: 'sb.anna',
          justification: 'Arbeitsvertrag belegt private Nutzung.',
        });
        const applicantTimeline = (await api.as(applicant).GET('/cases/{caseId}/timeline', onCase)).data!;
        expect(applicantTimeline.map((x) => x.type)).toEqual(staffTimeline.map((x) => x.type));
        expect(applicantTimeline.every((x) => !('data' in x))).toBe(true);
      }),
    );
  });

  it('four-eyes: the same person cannot confirm their own proposal; a second case worker can', async () => {
    await withWorker((e) =>
      withApi(e, async (api) => {
        const { caseId, taskId } = await escalatedCase(api, DORF, 1);
        const anna = api.as(await staffToken('sb.anna', DORF));
        const ben = api.as(await staffToken('sb.ben', DORF));
        const task = { params: { path: { taskId } } };

        await anna.POST('/tasks/{taskId}/claim', { ...task, body: {} });
        const proposed = await anna.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'reject', justification: 'Keine private Nutzung belegt.' },
        });
        expect(proposed.data).toMatchObject({
          state: 'open',
          stage: 'second_approval',
          proposal: { by: 'sb.anna', outcome: 'reject' },
        });
        expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');

        const again = await anna.POST('/tasks/{taskId}/claim', { ...task, body: {} });
        expect(again.response.status).toBe(403);
        expect(again.error?.detail).toMatch(/four-eyes/);
        await ben.POST('/tasks/{taskId}/claim', { ...task, body: {} });
        const disagree = await ben.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'approve', justification: 'Doch.' },
        });
        expect(disagree.response.status).toBe(409);
        const confirmed = await ben.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'reject', justification: 'Bestätigt.' },
        });
        expect(confirmed.response.status).toBe(200);

        const result = await e.cases.result(caseId);
        expect(result.outcome).toBe('rejected');
        expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.anna', confirmedBy: 'sb.ben' });
        expect(await eventTypes(caseId)).toEqual(expect.arrayContaining(['task.proposed', 'task.completed']));
      }),
    );
  });

  it('an overdue task reminds before its due date, then escalates to the supervisors', async () => {
    await withWorker((e) =>
      withApi(e, async (api) => {
        const submission = {
          ...applicationOf('company_car', 2),
          deadlines: { caseWorkerMs: 2_500, caseWorkerReminderMs: 1_500 },
        };
        const { caseId } = await e.cases.submit(submission);
        const chef = api.as(await staffToken('sv.chef', STADT, 'supervisor'));
        const anna = api.as(await staffToken('sb.anna', STADT));
        const taskId = `${caseId}:review`;
        const task = { params: { path: { taskId } } };

        const reminded = await waitFor(
          'the reminder',
          async () => (await anna.GET('/tasks/{taskId}', task)).data?.remindedAt ?? undefined,
        );
        const escalated = await waitFor('the escalation', async () => {
          const t = (await anna.GET('/tasks/{taskId}', task)).data;
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

        expect((await anna.POST('/tasks/{taskId}/claim', { ...task, body: {} })).response.status).toBe(403);
        expect((await chef.POST('/tasks/{taskId}/claim', { ...task, body: {} })).response.status).toBe(200);
        await chef.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'approve', justification: 'Von der Aufsicht entschieden.' },
        });
        expect((await e.cases.result(caseId)).outcome).toBe('approved');
      }),
    );
  });

  it('an open question rests the due date: no escalation while the applicant has it, then the due date moves on by that time', async () => {
    await withWorker((e) =>
      withApi(e, async (api) => {
        const submission = {
          ...applicationOf('company_car', 4),
          deadlines: { caseWorkerMs: 4_000, caseWorkerReminderMs: 1_000, applicantReplyMs: 60_000 },
        };
        const { caseId } = await e.cases.submit(submission);
        const taskId = `${caseId}:review`;
        const task = { params: { path: { taskId } } };
        const onCase = { params: { path: { caseId } } };
        const anna = api.as(await staffToken('sb.anna', STADT));
        const applicant = api.as(await applicantToken(submission.identity.subject));
        const opened = await waitFor('the task', async () => (await anna.GET('/tasks/{taskId}', task)).data);
        await anna.POST('/tasks/{taskId}/claim', { ...task, body: {} });
        const asked = await anna.POST('/tasks/{taskId}/questions', {
          ...task,
          body: { text: 'Wer nutzt das Fahrzeug?' },
        });
        const askedAt = Date.parse(asked.data!.openQuestion!.askedAt);
        // The task's first due date passes while the question is open: the task is not escalated.
        await waitFor('the first due date to pass', async () => Date.now() > Date.parse(opened.dueAt) + 1_500);
        expect((await anna.GET('/tasks/{taskId}', task)).data?.escalatedAt ?? undefined).toBeUndefined();
        expect(await eventTypes(caseId)).not.toContain('task.escalated');

        const replied = await applicant.POST('/cases/{caseId}/replies', {
          ...onCase,
          body: { questionId: asked.data!.openQuestion!.questionId, answer: 'Nur ich, privat.' },
        });
        expect(replied.response.status).toBe(200);
        const moved = await waitFor('the moved due date', async () => {
          const t = (await anna.GET('/tasks/{taskId}', task)).data;
          return t && !t.openQuestionId && t.dueAt !== opened.dueAt ? t : undefined;
        });
        const restedFor = Date.parse(moved.dueAt) - Date.parse(opened.dueAt);
        // By the time the question was open: from the question to the reply, which came after the first due date.
        expect(restedFor).toBeGreaterThanOrEqual(Date.parse(opened.dueAt) + 1_500 - askedAt);
        expect(Date.parse(moved.followUpAt) - Date.parse(opened.followUpAt)).toBe(restedFor);
        // The clock runs again: the task escalates at its moved due date, not before.
        const escalated = await waitFor('the escalation', async () => {
          const t = (await anna.GET('/tasks/{taskId}', task)).data;
          return t?.escalatedAt ? t : undefined;
        });
        expect(Date.parse(escalated.escalatedAt!)).toBeGreaterThanOrEqual(Date.parse(moved.dueAt));
      }),
    );
  });

  it('asks the applicant: the question reaches their postbox, the case waits, the reply resumes it; an unanswered question expires', async () => {
    await withWorker((e) =>
      withApi(e, async (api) => {
        const submission = { ...applicationOf('company_car', 3), deadlines: { applicantReplyMs: 4_000 } };
        const applicant = api.as(await applicantToken(submission.identity.subject));
        // Deadlines are not part of the public submission: the typed client sets them in seconds for the test.
        const { caseId } = await e.cases.submit(submission);
        const taskId = `${caseId}:review`;
        const task = { params: { path: { taskId } } };
        const onCase = { params: { path: { caseId } } };
        const anna = api.as(await staffToken('sb.anna', STADT));
        await waitFor('the task', async () => (await anna.GET('/tasks/{taskId}', task)).response.status === 200);
        await anna.POST('/tasks/{taskId}/claim', { ...task, body: {} });

        const asked = await anna.POST('/tasks/{taskId}/questions', {
          ...task,
          body: { kind: 'document', text: 'Bitte Arbeitsvertrag nachreichen.' },
        });
        expect(asked.response.status).toBe(200);
        const questionId = asked.data!.openQuestion!.questionId;
        const [letter] = await listDeliveries(db, { caseId });
        expect(letter?.recipient).toBe(submission.identity.subject);
        expect(JSON.parse((await e.deps.documents.get(letter!.documentSha256)).toString())).toMatchObject({
          questionId,
          text: 'Bitte Arbeitsvertrag nachreichen.',
        });
        const seen = (await applicant.GET('/cases/{caseId}', onCase)).data!;
        expect(seen.openQuestion).toMatchObject({
          questionId,
          kind: 'document',
          text: 'Bitte Arbeitsvertrag nachreichen.',
        });
        expect(seen.task).toBeUndefined();
        const early = await anna.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'approve', justification: 'x' },
        });
        expect(early.response.status).toBe(409);

        const other = api.as(await applicantToken('pseudonym-somebody-else'));
        const stranger = await other.POST('/cases/{caseId}/replies', {
          ...onCase,
          body: { questionId, answer: 'Hallo' },
        });
        expect(stranger.response.status).toBe(404);
        const replied = await applicant.POST('/cases/{caseId}/replies', {
          ...onCase,
          body: { questionId, answer: 'Arbeitsvertrag anbei, § 3 erlaubt private Nutzung.' },
        });
        expect(replied.response.status).toBe(200);
        expect(replied.data).toMatchObject({ accepted: true });
        const twice = await applicant.POST('/cases/{caseId}/replies', {
          ...onCase,
          body: { questionId, answer: 'nochmal' },
        });
        expect(twice.response.status).toBe(409);
        const events = await listCaseEvents(db, { caseId });
        expect(events.find((x) => x.type === 'applicant.replied')?.data).toMatchObject({
          questionId,
          answer: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        });

        const second = await anna.POST('/tasks/{taskId}/questions', { ...task, body: { text: 'Noch eine Frage?' } });
        expect(second.data!.openQuestion).toMatchObject({ questionId: `${taskId}:q2`, kind: 'question' });
        await waitFor('the expired question', async () =>
          (await eventTypes(caseId)).includes('applicant.reply_overdue'),
        );
        expect((await applicant.GET('/cases/{caseId}', onCase)).data!.openQuestion).toBeUndefined();
        const decided = await anna.POST('/tasks/{taskId}/complete', {
          ...task,
          body: { outcome: 'approve', justification: 'Vertrag liegt vor.' },
        });
        expect(decided.response.status).toBe(200);
        expect((await e.cases.result(caseId)).outcome).toBe('approved');
      }),
    );
  });
});

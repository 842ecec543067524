import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { routesOf } from '../http/http-api.js';
import { CommandRefusedError } from '../client/task-client.js';
import { CaseClient } from '../client/case-client.js';
import { TaskClient } from '../client/task-client.js';
import { client, db, withWorker } from './harness.js';
import {
  apiFor,
  applicantToken,
  call,
  foreignTokens,
  staffToken,
  submitOverHttp,
  tokens,
  waitFor,
} from './http-helpers.js';
import { applicationOf } from './samples.js';

const STADT = 'stadt-musterstadt';
const DORF = 'gemeinde-beispieldorf';

describe('who may do what over HTTP', () => {
  it('walks the authorization matrix, including cross-authority attempts that must be refused', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      const submission = applicationOf('company_car', 4);
      const owner = await applicantToken(submission.identity.subject);
      const otherApplicant = await applicantToken('pseudonym-not-the-owner');
      const anna = await staffToken('sb.anna', STADT);
      const ben = await staffToken('sb.ben', STADT);
      const foreignWorker = await staffToken('sb.fremd', DORF);
      const foreignSupervisor = await staffToken('sv.fremd', DORF, 'supervisor');
      const untrusted = await foreignTokens.sign({ role: 'case_worker', subject: 'sb.anna', authorityId: STADT });
      const expired = await tokens.sign({ role: 'case_worker', subject: 'sb.anna', authorityId: STADT }, '-1m');

      // Submitting: only with the applicant's own identity token; a bearer token of the API is no identity.
      expect((await call(api, 'POST', '/cases', owner, submission)).status).toBe(400);
      expect((await submitOverHttp(api, submission, untrusted)).status).toBe(401);
      const { caseId } = (await submitOverHttp(api, submission)).body;
      const taskId = `${caseId}:review`;
      await waitFor('the task', async () => (await call(api, 'GET', `/tasks/${taskId}`, anna)).status === 200);

      // Reading a case: its applicant and its authority's staff; to anyone else it does not exist.
      const reads: Array<[string | undefined, number]> = [
        [undefined, 401],
        [untrusted, 401],
        [expired, 401],
        [owner, 200],
        [anna, 200],
        [otherApplicant, 404],
        [foreignWorker, 404],
        [foreignSupervisor, 404],
      ];
      for (const [token, status] of reads) {
        expect([token === owner ? 'owner' : token, (await call(api, 'GET', `/cases/${caseId}`, token)).status]).toEqual(
          [token === owner ? 'owner' : token, status],
        );
        expect((await call(api, 'GET', `/cases/${caseId}/timeline`, token)).status).toBe(status);
      }

      // The inbox: staff only, and only their own authority's tasks.
      expect((await call(api, 'GET', '/tasks', owner)).status).toBe(403);
      expect((await call(api, 'GET', '/tasks', undefined)).status).toBe(401);
      expect(
        (await call(api, 'GET', '/tasks?limit=100', anna)).body.items.map((t: { taskId: string }) => t.taskId),
      ).toContain(taskId);
      expect(
        (await call(api, 'GET', '/tasks?limit=100', foreignSupervisor)).body.items.map(
          (t: { taskId: string }) => t.taskId,
        ),
      ).not.toContain(taskId);
      expect((await call(api, 'GET', '/tasks?limit=0', anna)).status).toBe(400);

      // Acting on a task of another authority: not found over HTTP, and refused by the workflow itself through the typed client.
      for (const token of [foreignWorker, foreignSupervisor]) {
        expect((await call(api, 'POST', `/tasks/${taskId}/claim`, token, {})).status).toBe(404);
        expect((await call(api, 'GET', `/tasks/${taskId}`, token)).status).toBe(404);
      }
      const stranger = { id: 'sb.fremd', role: 'case_worker' as const, authorityId: DORF };
      const refused = await e.tasks
        .act(caseId, { action: 'claim', taskId, actor: stranger })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(CommandRefusedError);
      expect(refused).toMatchObject({ type: 'forbidden', message: 'the task belongs to another authority' });
      expect((await call(api, 'POST', `/tasks/${taskId}/claim`, owner, {})).status).toBe(403);

      // Within the authority: the claimant decides; others are refused with the reason.
      expect((await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {})).status).toBe(200);
      const stolen = await call(api, 'POST', `/tasks/${taskId}/claim`, ben, {});
      expect(stolen).toMatchObject({
        status: 409,
        contentType: expect.stringContaining('application/problem+json'),
        body: { status: 409, detail: 'the task is already claimed by sb.anna' },
      });
      expect(
        (await call(api, 'POST', `/tasks/${taskId}/complete`, ben, { outcome: 'approve', justification: 'x' })).status,
      ).toBe(403);
      expect((await call(api, 'POST', `/tasks/${taskId}/unclaim`, ben, {})).status).toBe(403);
      expect((await call(api, 'POST', `/tasks/${taskId}/complete`, anna, { outcome: 'approve' })).status).toBe(400);
      const blank = await call(api, 'POST', `/tasks/${taskId}/complete`, anna, {
        outcome: 'approve',
        justification: '   ',
      });
      expect(blank.body).toEqual({
        type: 'about:blank',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'a written justification is required',
      });
      expect(
        (await call(api, 'POST', `/cases/${caseId}/replies`, owner, { questionId: 'q', answer: 'a' })).status,
      ).toBe(409);
      expect((await call(api, 'POST', `/cases/${caseId}/replies`, anna, { questionId: 'q', answer: 'a' })).status).toBe(
        403,
      );
      expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');

      expect(
        (await call(api, 'POST', `/tasks/${taskId}/reassign`, anna, { assignee: 'sb.ben', reason: 'Vertretung' })).body
          .assignee,
      ).toBe('sb.ben');
      expect(
        (
          await call(api, 'POST', `/tasks/${taskId}/complete`, ben, {
            outcome: 'reject',
            justification: 'Keine private Nutzung.',
          })
        ).status,
      ).toBe(200);
      expect((await e.cases.result(caseId)).outcome).toBe('rejected');
      expect((await call(api, 'POST', `/tasks/${taskId}/claim`, anna, {})).status).toBe(409);

      const unknown = await call(api, 'GET', `/cases/00000000-0000-4000-8000-000000000000`, anna);
      expect(unknown.status).toBe(404);
      expect(JSON.stringify(unknown.body)).not.toMatch(/stack|at .*\.ts/);
    });
  });

  it('serves an OpenAPI document that validates and lists exactly the routes the engine registered', async () => {
    await withWorker(async (e) => {
      const api = await apiFor(e);
      // The document is built once the routes are ready.
      await api.ready();
      const res = await call(api, 'GET', '/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
      await SwaggerParser.validate(structuredClone(doc) as never);
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      expect(documented.sort()).toEqual([...routesOf(api)].sort());
      expect(documented).toEqual(
        expect.arrayContaining([
          'POST /cases',
          'GET /tasks',
          'POST /tasks/:taskId/complete',
          'POST /cases/:caseId/replies',
        ]),
      );
      const complete = doc.paths['/tasks/{taskId}/complete']!['post'] as {
        security: unknown;
        responses: Record<string, unknown>;
      };
      expect(complete.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(complete.responses)).toEqual(expect.arrayContaining(['200', '403', '409', '422']));
    });
  });

  it('checks responses against their schema: a route that breaks its contract answers a bare 500', async () => {
    const api = await apiFor({ cases: new CaseClient(client, db), tasks: new TaskClient(client, db) } as Parameters<
      typeof apiFor
    >[0]);
    api.get(
      '/broken',
      { config: { access: 'public' }, schema: { response: { 200: { $ref: 'TaskView#' } } } },
      async () => ({
        ...{
          taskId: 't',
          caseId: 'c',
          kind: 'review_decision',
          serviceKey: 's',
          authorityId: 'a',
          candidateGroup: 'g',
          reason: 'internal',
        },
        ...{
          priority: 'normal',
          dueAt: new Date().toISOString(),
          followUpAt: new Date().toISOString(),
          stage: 'decision',
          fourEyes: false,
          version: 1,
        },
        state: 'lost', // every field present, one value outside its enum: only validation, not serialization, catches it
      }),
    );
    const res = await call(api, 'GET', '/broken');
    expect(res).toMatchObject({ status: 500, body: { status: 500, detail: 'The request could not be processed.' } });
    expect(JSON.stringify(res.body)).not.toContain('internal');
  });
});

import { sign } from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { recordBekanntgabeOf } from '../activities/bekanntgabe.js';
import { listTasksOfCase } from '../db/queries/tasks.js';
import { registerService, sampleServices } from '../services/catalogue.js';
import { berlinDate } from '../services/legal-time.js';
import { problemHandler } from '../http/problem.js';
import { CaseFiles } from '../http/workbench/index.js';
import { workbench } from '../http/workbench/plugin.js';
import { WorkbenchSessionStore } from '../http/workbench/session-store.js';
import { client, db, publicBaseUrl, testApi, withWorker } from './harness.js';
import { applicantToken, call, idp, staffToken } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';

// The parking permit whose objections another authority decides (§ 73 Abs. 1 Satz 2 Nr. 1 VwGO: the next higher one).
const KEY = '99000000000073';
const OBJECTION_AUTHORITY = 'kreis-widerspruchsbehoerde';
const SECRET = 'objection-authority-test-secret-32chars';
const parking = sampleServices.anwohnerparken;
registerService({
  ...parking,
  key: KEY,
  lifecycle: {
    ...parking.lifecycle!,
    objection: {
      ...parking.lifecycle!.objection,
      authority: { authorityId: OBJECTION_AUTHORITY, group: 'widerspruchsstelle', name: 'Kreis, Widerspruchsbehörde' },
    },
  },
});

describe('an objection authority that is another authority', () => {
  it('reads the case, its Akte and decides the Widerspruchsbescheid, and nothing else; the deciding authority keeps the Abhilfe', async () => {
    await withWorker(async (e) => {
      const submission = applicationOf('other_zone', 8);
      submission.serviceKey = KEY;
      const { caseId } = await e.cases.submit(submission);
      expect((await e.cases.result(caseId)).outcome).toBe('rejected');
      const { authorityId } = submission;
      await recordBekanntgabeOf(db, {
        caseId,
        serviceKey: KEY,
        authorityId,
        basis: 'manual_delivery',
        eventOn: berlinDate(new Date()),
      });
      // The API with the objection's and the case file's routes (the Akte's panels and documents).
      const api = await testApi(e.cases, {
        evidence: { db, documents: e.deps.documents, uploadMaxBytes: 1024 * 1024 },
        workbench: { files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }), db },
      });
      const applicant = await applicantToken(submission.identity.subject);
      const caseWorker = await staffToken('sb.sara', authorityId);
      const reviewer = await staffToken('wb.wilma', OBJECTION_AUTHORITY);
      const stranger = await staffToken('sb.other', 'landkreis-fremd');
      const overview = `/cases/${caseId}/file/overview`;

      // Without an objection the case is none of the objection authority's business.
      expect((await call(api, 'GET', overview, reviewer)).status).toBe(404);
      expect(
        (await call(api, 'POST', `/cases/${caseId}/objection`, applicant, { reasons: 'Ich wohne in der Zone.' }))
          .status,
      ).toBe(201);

      // The Abhilfeprüfung is the deciding authority's alone.
      await waitFor(async () => (await listTasksOfCase(db, { caseId })).find((t) => t.kind === 'abhilfe'), {
        what: 'the abhilfe task',
      });
      const early = await call(api, 'POST', `/cases/${caseId}/objection/decision`, reviewer, {
        stage: 'abhilfe',
        outcome: 'remedy',
        reasons: ['Nicht unsere Sache.'],
      });
      expect(early.status, JSON.stringify(early.body)).toBe(403);
      const noRemedy = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'abhilfe',
        outcome: 'no_remedy',
        reasons: ['Die Anschrift liegt außerhalb der Zone.'],
      });
      expect(noRemedy.status, JSON.stringify(noRemedy.body)).toBe(200);

      // The Widerspruchsbescheid's task is in the objection authority's inbox, for its group.
      const task = await waitFor(
        async () => (await listTasksOfCase(db, { caseId })).find((t) => t.kind === 'widerspruchsbescheid'),
        { what: 'the widerspruchsbescheid task' },
      );
      expect(task).toMatchObject({
        authorityId: OBJECTION_AUTHORITY,
        candidateGroup: `${OBJECTION_AUTHORITY}:widerspruchsstelle`,
      });

      // Its staff read the Akte; a third authority's do not, nor do they get anything beyond the Akte and the decision.
      for (const panel of ['overview', 'application', 'timeline', 'bescheid'])
        expect((await call(api, 'GET', `/cases/${caseId}/file/${panel}`, reviewer)).status, panel).toBe(200);
      expect((await call(api, 'GET', overview, stranger)).status).toBe(404);
      expect((await call(api, 'GET', `/cases/${caseId}`, reviewer)).status).toBe(404);
      expect((await call(api, 'GET', `/cases/${caseId}/milestones`, reviewer)).status).toBe(404);

      // In the workbench its staff open the objection screen with the Widerspruchsbescheid's form, not the case page.
      const wb = Fastify();
      wb.setErrorHandler(problemHandler);
      await wb.register(workbench, {
        files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }),
        tasks: e.tasks,
        db,
        login: { issuer: idp.issuer, clientId: 'ozg-workbench' },
        sessionSecret: SECRET,
      });
      const sid = await new WorkbenchSessionStore(db, 60_000).open({
        id: 'wb.wilma',
        name: 'Wilma Widerspruch',
        role: 'case_worker',
        authorityId: OBJECTION_AUTHORITY,
        exp: 4e9,
      });
      const cookie = `wb_session=${encodeURIComponent(sign(Buffer.from(JSON.stringify({ sid })).toString('base64url'), SECRET))}`;
      const screen = await wb.inject({ url: `/workbench/cases/${caseId}/objection`, headers: { cookie } });
      expect(screen.statusCode).toBe(200);
      expect(screen.body).toContain('Widerspruchsbescheid erlassen');
      expect(screen.body).not.toContain('Zur Akte');
      expect((await wb.inject({ url: `/workbench/cases/${caseId}`, headers: { cookie } })).statusCode).toBe(404);
      await wb.close();

      // The deciding authority may not decide in the objection authority's place.
      const ownDecision = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'objection_authority',
        outcome: 'granted',
        reasons: ['Selbst entschieden.'],
      });
      expect(ownDecision.status).toBe(403);
      const decided = await call(api, 'POST', `/cases/${caseId}/objection/decision`, reviewer, {
        stage: 'objection_authority',
        outcome: 'rejected',
        reasons: ['Der Bescheid ist rechtmäßig.'],
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      expect(await e.cases.objections.result(caseId)).toMatchObject({ stage: 'decided', widerspruch: 'rejected' });
      await waitFor(
        async () =>
          (await listTasksOfCase(db, { caseId })).find((t) => t.kind === 'widerspruchsbescheid')?.state === 'completed',
        { what: 'the widerspruchsbescheid task completed' },
      );
      await api.close();
    });
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lastenradApplication } from '../dev/demo/sample-other-services.js';
import { buildHttpApi } from '../http/http-api.js';
import { caseData } from '../http/workbench/case-page-routes.js';
import { CASE_FILE_PANELS, CaseFiles } from '../http/workbench/case-file.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import proto from '@temporalio/proto';
import { bekanntgabeWorkflowId, caseWorkflowId } from '../workflows/contracts/ids.js';
import { client, completeOpenTask, db, publicBaseUrl, type TestEngine, withWorker } from './harness.js';
import { applicantToken, call, intakeNotUnderTest, staffToken, tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { antragSha256 } from '../activities/antrag.js';
import { caseWorkflowStart, openAkteFor } from '../client/case-client.js';
import { listOpenIncidents } from '../db/queries/incidents.js';
import { resolveIncidentVia } from '../http/incident-routes.js';
import { findService, ruleSetVersionOn } from '../services/catalogue.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import { waitFor } from './support/wait.js';

/** Everything a person reads of a closed case: every panel, the workbench case page's data, the applicant's views, every download. */
async function everythingRead(e: TestEngine, caseId: string, authorityId: string, subject: string) {
  const files = new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl });
  const api = await buildHttpApi({
    cases: e.cases,
    tasks: e.tasks,
    auth: jwtVerifier(tokens.keys, tokenAudience),
    identity: intakeNotUnderTest,
    workbench: { files, db },
    evidence: { db, documents: e.deps.documents, uploadMaxBytes: 1024 * 1024 },
  });
  try {
    const staff = await staffToken('sb.anna', authorityId);
    const applicant = await applicantToken(subject);
    const panels: Record<string, unknown> = {};
    for (const panel of CASE_FILE_PANELS) {
      const res = await call(api, 'GET', `/cases/${caseId}/file/${panel}`, staff);
      expect(res.status, `panel ${panel}`).toBe(200);
      panels[panel] = res.body;
    }
    const links = [...JSON.stringify(panels).matchAll(/\/cases\/[0-9a-f-]{36}\/file\/documents\/[0-9a-f]{64}/g)].map(
      (m) => m[0],
    );
    expect(links.length).toBeGreaterThan(0);
    const downloads: Record<string, string> = {};
    for (const link of new Set(links)) {
      const res = await api.inject({ method: 'GET', url: link, headers: { authorization: `Bearer ${staff}` } });
      expect(res.statusCode, link).toBe(200);
      downloads[link] = createHash('sha256').update(res.rawPayload).digest('hex');
    }
    const applicantView = await call(api, 'GET', `/cases/${caseId}`, applicant);
    const milestones = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
    expect(applicantView.status).toBe(200);
    expect(milestones.status).toBe(200);
    const data = await caseData({ files, db }, { id: 'sb.anna', role: 'case_worker', authorityId }, caseId);
    // The authority's colleagues (for reassignment) are the staff directory's, which other tests' logins add to.
    const { staff: _colleagues, ...page } = data ?? {};
    return { panels, downloads, applicantView: applicantView.body, milestones: milestones.body, page };
  } finally {
    await api.close();
  }
}

/**
 * Removes a closed case's history as namespace retention does (asked again while the server has not done it yet). The
 * tests' dev server acknowledges closes every second (test/global-setup.ts), so a deletion takes a second or two.
 */
async function deleteHistory(caseId: string): Promise<void> {
  const execution = { namespace: 'default', workflowExecution: { workflowId: caseWorkflowId(caseId) } };
  await client.workflowService.deleteWorkflowExecution(execution);
  let looks = 0;
  await waitFor(
    async () => {
      const gone = await client.workflow
        .getHandle(caseWorkflowId(caseId))
        .describe()
        .then(
          () => false,
          (err: Error) => err.name === 'WorkflowNotFoundError',
        );
      // Asked again now and then, not at every look: each request queues another deletion task on the server.
      if (!gone && ++looks % 20 === 0)
        await client.workflowService.deleteWorkflowExecution(execution).catch(() => undefined);
      return gone;
    },
    { what: `history of ${caseId} deleted`, timeoutMs: 240_000, intervalMs: 500 },
  );
}

/**
 * Once the case closes, its Bekanntgabe workflow records the announcement in the Akte (at once by fiction, or when the
 * postbox reports retrieval): a case is read for comparison after that workflow has settled, closed or waiting for
 * the next legal day (test/bekanntgabe.test.ts is about what it records).
 */
async function bekanntgabeSettled(caseId: string): Promise<void> {
  const { EventType } = proto.temporal.api.enums.v1;
  const handle = client.workflow.getHandle(bekanntgabeWorkflowId(caseId));
  await waitFor(
    async () => {
      const events = (await handle.fetchHistory().catch(() => undefined))?.events;
      if (!events) return false;
      const count = (type: number) => events.filter((e) => e.eventType === type).length;
      if (
        count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) + count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
      )
        return true;
      return count(EventType.EVENT_TYPE_TIMER_STARTED) > count(EventType.EVENT_TYPE_TIMER_FIRED);
    },
    { what: `the Bekanntgabe of ${caseId} settled`, timeoutMs: 60_000 },
  );
}

const paths: Array<{
  name: string;
  submission: () => ReturnType<typeof applicationOf>;
  caseWorker?: { outcome: 'approve' | 'reject'; fourEyes?: boolean; asks?: 'document' | 'question' };
  outcome: string;
}> = [
  {
    name: 'automated approval with the fee paid in advance',
    submission: () => applicationOf('resident', 20),
    outcome: 'approved',
  },
  { name: 'rejection', submission: () => applicationOf('other_zone', 20), outcome: 'rejected' },
  {
    name: 'case worker decision',
    submission: () => applicationOf('company_car', 20),
    caseWorker: { outcome: 'approve' },
    outcome: 'approved',
  },
  {
    name: 'case worker with four-eyes, then pay-out',
    submission: () => lastenradApplication('expensive', 20),
    caseWorker: { outcome: 'approve', fourEyes: true },
    outcome: 'approved',
  },
  { name: 'pay-out', submission: () => lastenradApplication('eligible', 20), outcome: 'approved' },
  {
    name: 'documents requested, the applicant answers, then approval',
    submission: () => applicationOf('company_car', 21),
    caseWorker: { outcome: 'approve', asks: 'document' },
    outcome: 'approved',
  },
  {
    name: 'refused at review by the case worker',
    submission: () => applicationOf('company_car', 22),
    caseWorker: { outcome: 'reject' },
    outcome: 'rejected',
  },
];

// The paths run side by side (each on a worker of its own): most of each is waiting for Temporal and the history's removal.
describe.concurrent('a closed case without its Temporal history', () => {
  for (const p of paths) {
    it(`${p.name}: every panel, the case page, the applicant's views and the downloads answer as before`, async () => {
      await withWorker(async (e) => {
        const submission = { ...p.submission(), idempotencyKey: randomUUID() };
        const { caseId } = await e.cases.submit(submission);
        if (p.caseWorker) {
          await waitFor(async () => (await e.cases.status(caseId)).status === 'awaiting_case_worker', {
            what: 'the case worker task',
            timeoutMs: 30_000,
          });
          const { outcome } = p.caseWorker;
          if (p.caseWorker.asks) {
            // The case worker asks for documents; the applicant answers; the task comes back to the case worker.
            const { openTaskId: taskId, authorityId } = await e.cases.status(caseId);
            await waitFor(async () => e.tasks.find(taskId!), { what: `task ${taskId}`, timeoutMs: 30_000 });
            const actor = { id: 'sb.anna', role: 'case_worker' as const, authorityId };
            await e.tasks.act(caseId, { action: 'claim', taskId: taskId!, actor });
            const view = await e.tasks.act(caseId, {
              action: 'ask',
              taskId: taskId!,
              actor,
              kind: p.caseWorker.asks,
              text: 'Bitte reichen Sie den Überlassungsvertrag für den Firmenwagen nach.',
            });
            await e.tasks.reply(caseId, {
              questionId: view.openQuestion!.questionId,
              subject: submission.identity.subject,
              answer: 'Der Vertrag liegt bei: Überlassung seit 2024.',
            });
            await waitFor(async () => !(await e.cases.status(caseId)).task?.openQuestion, {
              what: 'the answered question',
              timeoutMs: 30_000,
            });
            await e.tasks.act(caseId, {
              action: 'complete',
              taskId: taskId!,
              actor,
              outcome,
              justification: 'Geprüft.',
            });
          } else await completeOpenTask(e, caseId, { caseWorker: 'sb.anna', justification: 'Geprüft.', outcome });
          if (p.caseWorker.fourEyes) {
            await waitFor(async () => (await e.cases.status(caseId)).task?.stage === 'second_approval', {
              what: 'the proposal awaiting a second case worker',
            });
            await completeOpenTask(e, caseId, { caseWorker: 'sb.ben', justification: 'Bestätigt.', outcome });
          }
        }
        expect((await e.cases.result(caseId)).outcome).toBe(p.outcome);
        await waitFor(async () => (await e.cases.view(caseId))?.status === 'closed', { what: 'the closed state' });
        await bekanntgabeSettled(caseId);

        const before = await everythingRead(e, caseId, submission.authorityId, submission.identity.subject);
        expect((before.panels['application'] as { fields: unknown[] }).fields.length).toBeGreaterThan(0);
        if (p.caseWorker?.asks)
          expect(before.panels['dialogue']).toMatchObject({
            questions: [{ kind: p.caseWorker.asks, reply: { answer: expect.stringContaining('Vertrag') } }],
          });
        expect(before.applicantView).toMatchObject({ status: 'closed', outcome: p.outcome });
        await deleteHistory(caseId);
        const after = await everythingRead(e, caseId, submission.authorityId, submission.identity.subject);
        expect(after).toEqual(before);
        // The same submission again is the same closed case: answered from the Akte, never started a second time.
        expect(await e.cases.submit(submission)).toMatchObject({ caseId, duplicate: true });
        expect(await e.cases.exists(caseId)).toBe(true);
        await expect(client.workflow.getHandle(caseWorkflowId(caseId)).describe()).rejects.toThrow();
      });
    }, 300_000);
  }

  it("incident resolved (handed to a case worker), then approval: every panel, the case page, the applicant's views and the downloads answer as before", async () => {
    await withWorker(async (e) => {
      // A case whose pinned rule-set hash the loaded rules do not match: the decision step opens an incident.
      const submission = { ...applicationOf('resident', 23), idempotencyKey: randomUUID() };
      const service = findService(submission.serviceKey);
      const caseId = randomUUID();
      const submittedAt = new Date().toISOString();
      const schemaVersion = service.currentSchemaVersion;
      const ruleSetVersion = ruleSetVersionOn(service, submittedAt.slice(0, 10));
      const submissionSha256 = `incident-${caseId}`;
      const o = { a: submission, service, caseId, schemaVersion, ruleSetVersion, submittedAt, submissionSha256 };
      await openAkteFor(db, o);
      const start = caseWorkflowStart(e.taskQueue, { ...o, antrag: { sha256: antragSha256(submission.application) } });
      await client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
        ...start,
        args: [{ ...start.args[0], ruleSetSha256: 'f'.repeat(64) }],
      });
      const incident = await waitFor(
        async () =>
          (await listOpenIncidents(db, { authorityId: submission.authorityId })).find((i) => i.caseId === caseId),
        { what: 'the incident', timeoutMs: 60_000 },
      );
      await resolveIncidentVia(client)(caseId, {
        incidentId: incident.incidentId,
        action: 'hand_to_case_worker',
        by: 'op.olga',
      });
      await waitFor(async () => (await e.cases.status(caseId)).status === 'awaiting_case_worker', {
        what: 'the case worker task',
        timeoutMs: 30_000,
      });
      await completeOpenTask(e, caseId, { caseWorker: 'sb.anna', justification: 'Geprüft.', outcome: 'approve' });
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
      await waitFor(async () => (await e.cases.view(caseId))?.status === 'closed', { what: 'the closed state' });
      await bekanntgabeSettled(caseId);

      const before = await everythingRead(e, caseId, submission.authorityId, submission.identity.subject);
      expect((before.panels['application'] as { fields: unknown[] }).fields.length).toBeGreaterThan(0);
      await deleteHistory(caseId);
      const after = await everythingRead(e, caseId, submission.authorityId, submission.identity.subject);
      expect(after).toEqual(before);
    });
  }, 300_000);
});

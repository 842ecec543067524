import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caseWorkflowStart } from '../client/case-client.js';
import { resolveIncidentVia } from '../http/incident-routes.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { CaseIncidentKey } from '../workflows/contracts/search-attributes.js';
import { findService, ruleSetVersionOn } from '../services/catalogue.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import { client, completeOpenTask, db, testApi, withWorker } from './harness.js';
import { call, staffToken, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { waitFor, waitForStatus } from './support/wait.js';

type Incident = { incidentId: string; caseId: string; type: string; activity: string; actions: string[]; hint: string };

/** A case whose pinned rule-set hash the loaded rules do not match, as if the released file had been edited since. */
async function startWithChangedRules(taskQueue: string): Promise<string> {
  const a = applicationOf('resident');
  const service = findService(a.serviceKey);
  const caseId = randomUUID();
  const submittedAt = new Date().toISOString();
  const ruleSetVersion = ruleSetVersionOn(service, submittedAt.slice(0, 10));
  const start = caseWorkflowStart(taskQueue, {
    a,
    caseId,
    schemaVersion: service.currentSchemaVersion,
    ruleSetVersion,
    submittedAt,
    submissionSha256: 'incident-test',
  });
  await client.workflow.start<typeof caseWorkflow>('caseWorkflow', {
    ...start,
    args: [{ ...start.args[0], ruleSetSha256: 'f'.repeat(64) }],
  });
  return caseId;
}

describe('incidents: permanent failures wait for an operator instead of retrying', () => {
  it('marks the case, lists it for operators of its authority, and resolves by retry, then by handing it to a case worker', async () => {
    await withWorker(async (e) => {
      const caseId = await startWithChangedRules(e.taskQueue);
      const api = await testApi(e.cases, { incidents: { db, resolve: resolveIncidentVia(client) } });
      const operator = await tokens.sign({ role: 'operator', subject: 'op.1', authorityId: 'stadt-musterstadt' });
      const incidentsOf = async (token: string) =>
        ((await call(api, 'GET', '/operations/incidents', token)).body.incidents as Incident[]).filter(
          (i) => i.caseId === caseId,
        );

      const [first] = await waitFor(async () => (await incidentsOf(operator)).at(0) && incidentsOf(operator), {
        timeoutMs: 30_000,
        what: 'the incident',
      });
      expect(first).toMatchObject({
        type: 'RuleSetChanged',
        activity: 'decideCase',
        actions: ['retry', 'hand_to_case_worker', 'close'],
      });
      expect(first!.hint).toMatch(/restore the released file/);
      const handle = client.workflow.getHandle(caseWorkflowId(caseId));
      // The search attribute lands with the workflow task that also ran the incident's local activity.
      await waitFor(
        async () => (await handle.describe()).typedSearchAttributes.get(CaseIncidentKey) === 'RuleSetChanged',
        { timeoutMs: 30_000, what: 'the CaseIncident mark' },
      );

      // Only operators, only their own authority's cases.
      expect(
        (await call(api, 'GET', '/operations/incidents', await staffToken('sb.1', 'stadt-musterstadt'))).status,
      ).toBe(403);
      expect(
        await incidentsOf(await tokens.sign({ role: 'operator', subject: 'op.2', authorityId: 'other-authority' })),
      ).toEqual([]);
      const resolveUrl = (i: Incident) => `/operations/incidents/${encodeURIComponent(i.incidentId)}/resolve`;
      expect((await call(api, 'POST', resolveUrl(first!), operator, { action: 'reboot' })).status).toBe(400);

      // Retry without a fix: the same failure opens a second incident, the first is resolved.
      expect((await call(api, 'POST', resolveUrl(first!), operator, { action: 'retry' })).status).toBe(200);
      const [second] = await waitFor(
        async () => {
          const open = await incidentsOf(operator);
          return open.some((i) => i.incidentId !== first!.incidentId) && open;
        },
        { timeoutMs: 30_000, what: 'the second incident' },
      );
      expect(second!.incidentId).not.toBe(first!.incidentId);
      expect((await call(api, 'POST', resolveUrl(first!), operator, { action: 'close' })).status).toBe(409);

      // Handing over sends the case to a person, who decides; the mark is gone.
      expect((await call(api, 'POST', resolveUrl(second!), operator, { action: 'hand_to_case_worker' })).status).toBe(
        200,
      );
      await waitForStatus(e.cases, caseId, 'awaiting_case_worker');
      await waitFor(async () => (await handle.describe()).typedSearchAttributes.get(CaseIncidentKey) === undefined, {
        timeoutMs: 30_000,
        what: 'the mark to go',
      });
      expect(await incidentsOf(operator)).toEqual([]);
      await completeOpenTask(e, caseId, {
        caseWorker: 'sb.1',
        outcome: 'approve',
        justification: 'Geprüft nach Betriebsvorfall.',
      });
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
    });
  });

  it('closing an incident ends the case with a typed failure', async () => {
    await withWorker(async (e) => {
      const caseId = await startWithChangedRules(e.taskQueue);
      const api = await testApi(e.cases, { incidents: { db, resolve: resolveIncidentVia(client) } });
      const operator = await tokens.sign({ role: 'operator', subject: 'op.1', authorityId: 'stadt-musterstadt' });
      const incident = await waitFor(
        async () =>
          ((await call(api, 'GET', '/operations/incidents', operator)).body.incidents as Incident[]).find(
            (i) => i.caseId === caseId,
          ),
        {
          timeoutMs: 30_000,
          what: 'the incident',
        },
      );
      expect(
        (
          await call(
            api,
            'POST',
            `/operations/incidents/${encodeURIComponent(incident.incidentId)}/resolve`,
            operator,
            { action: 'close' },
          )
        ).status,
      ).toBe(200);
      await expect(e.cases.result(caseId)).rejects.toMatchObject({ cause: { type: 'ClosedByOperator' } });
    });
  });
});

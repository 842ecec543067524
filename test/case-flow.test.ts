import { describe, expect, it } from 'vitest';
import { CommandRefusedError } from '../client/task-client.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listPayments } from '../db/queries/payments.js';
import { listOpenTasks } from '../db/queries/tasks.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { randomUUID } from 'node:crypto';
import { createActivities } from '../activities/index.js';
import { CaseClient } from '../client/case-client.js';
import { TaskClient } from '../client/task-client.js';
import {
  client,
  CountingRegisters,
  db,
  sealKeys,
  startBypassingIntake,
  testDeps,
  withWorker,
  workerOn,
} from './harness.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { applicationOf } from './samples.js';
import type { Registers } from '../adapters/registers.js';
import { eventually, waitFor, waitForStatus } from './support/wait.js';

// Intake is one step: its assessment is an event of the received stage, not a stage of its own. With the evidence
// complete, the period of the approval by fiction starts (the sample's statute orders one, § 42a VwVfG).
const FULL_PATH = [
  'received',
  'received',
  'fetching_evidence',
  'fetching_evidence',
  'collecting_fee',
  'collecting_fee',
  'collecting_fee',
  'deciding',
  'issuing_bescheid',
  'sealing',
  'delivering',
  'archiving',
  'closed',
];

describe('a case end to end on Temporal and PostgreSQL', () => {
  it('approves a resident with a vehicle: every stage recorded, fee booked, Bescheid sealed, delivered once, archived', async () => {
    await withWorker(async ({ cases, deps }) => {
      const { caseId } = await cases.submit(applicationOf('resident'));
      const result = await cases.result(caseId);

      expect(result.outcome).toBe('approved');
      expect(result.decision?.firedRules.map((r) => r.ruleId)).toEqual(['resident-holder-in-zone']);

      const row = await getCase(db, { caseId });
      expect(row).toMatchObject({
        status: 'closed',
        outcome: 'approved',
        ruleSetVersion: '1',
        bescheidSha256: result.bescheid.document.sha256,
      });
      const events = await listCaseEvents(db, { caseId });
      expect(events.map((e) => e.status)).toEqual(FULL_PATH);
      expect(events.map((e) => e.seq)).toEqual(FULL_PATH.map((_, i) => i + 1));
      expect(events.filter((e) => e.status === 'collecting_fee').map((e) => e.type)).toEqual([
        'fee.requested',
        'fee.payment_opened',
        'fee.paid',
      ]);

      expect(await listPayments(db, { caseId })).toEqual([
        expect.objectContaining({ amountCents: 3060, reference: expect.stringMatching(/^KZ-\d{12}$/) }),
      ]);
      expect(await listDeliveries(db, { caseId })).toHaveLength(1);

      const pdf = await deps.documents.get(result.bescheid.document.sha256);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(await verifySealedPdf(pdf, await sealKeys.trustAnchors())).toMatchObject({
        valid: true,
        signer: 'Siegel stadt-musterstadt (Demo)',
      });
      const tampered = Buffer.from(pdf);
      const at = tampered.length - 10;
      tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
      expect((await verifySealedPdf(tampered, await sealKeys.trustAnchors())).valid).toBe(false);

      const archive = await deps.archive.verify(result.archive.packageSha256);
      expect(archive.valid).toBe(true);
      expect(archive.manifest?.Akte.Vorgang.Dokumente.map((d) => d.Datei.Name)).toEqual([
        'bescheid.pdf',
        'evidence-residence.json',
        'evidence-vehicle_registration.json',
        'decision.json',
        'payments.json',
        'events.json',
        // The Akte: the Antrag as submitted, as a readable PDF, and the document index.
        'antrag.json',
        'antrag.pdf',
        'akte-index.json',
      ]);

      const description = await client.workflow.getHandle(caseWorkflowId(caseId)).describe();
      const sa = Object.fromEntries(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
      expect(sa).toMatchObject({
        CaseId: caseId,
        ServiceKey: '99050012104000',
        AuthorityId: 'stadt-musterstadt',
        CaseStatus: 'closed',
        CaseOutcome: 'approved',
      });
    });
  });

  it('rejects an applicant registered in another zone, with the rule, its legal basis and the rule set hash', async () => {
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit(applicationOf('other_zone'));
      const result = await cases.result(caseId);
      expect(result.outcome).toBe('rejected');
      expect(result.decision).toMatchObject({
        outcome: 'reject',
        ruleSetVersion: '1',
        ruleSetHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        facts: { residenceStatus: 'found', residenceInZone: false },
      });
      expect(result.decision?.firedRules).toContainEqual(
        expect.objectContaining({ ruleId: 'not-resident-in-zone', legalBasis: '§ 45 Abs. 1b Satz 1 Nr. 2a StVO' }),
      );
      expect((await getCase(db, { caseId }))?.decision).toMatchObject({ outcome: 'reject' });
    });
  });

  it('escalates a company car to a case worker, refuses invalid decisions, and resumes on a valid one', async () => {
    await withWorker(async ({ cases, tasks }) => {
      const { caseId } = await cases.submit(applicationOf('company_car'));
      await waitForStatus(cases, caseId, 'awaiting_case_worker');
      const state = await cases.status(caseId);
      const taskId = state.openTaskId!;
      // The inbox is a projection the workflow writes right after it starts waiting.
      await eventually(
        async () =>
          (await listOpenTasks(db, { authorityId: 'stadt-musterstadt' })).some((t) => t.taskId === taskId) || undefined,
        'the task in the inbox',
      );

      const actor = { id: 'sb.mueller', role: 'case_worker' as const, authorityId: 'stadt-musterstadt' };
      const valid = {
        action: 'complete' as const,
        taskId,
        actor,
        outcome: 'approve' as const,
        justification: 'Arbeitsvertrag belegt private Nutzung.',
      };
      await expect(tasks.act(caseId, valid)).rejects.toThrow(CommandRefusedError);
      await tasks.act(caseId, { action: 'claim', taskId, actor });
      await expect(tasks.act(caseId, { ...valid, justification: ' ' })).rejects.toThrow(
        'a written justification is required',
      );
      await expect(tasks.act(caseId, { ...valid, taskId: 'someone-else:review' })).rejects.toThrow(CommandRefusedError);
      expect((await cases.status(caseId)).status).toBe('awaiting_case_worker');

      await tasks.act(caseId, valid);
      const result = await cases.result(caseId);
      expect(result.outcome).toBe('approved');
      expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.mueller' });
      expect((await listOpenTasks(db, { authorityId: 'stadt-musterstadt' })).map((t) => t.taskId)).not.toContain(
        taskId,
      );
      const events = await listCaseEvents(db, { caseId });
      expect(events.find((e) => e.type === 'task.completed')?.data).toMatchObject({
        by: 'sb.mueller',
        justification: valid.justification,
      });
    });
  });

  it("takes a case worker's action the moment the case shows awaiting_case_worker (the handlers come first)", async () => {
    const deps = testDeps();
    const record = createActivities(deps).recordJournal;
    // A slow database: the row with the new status is committed, then the write holds its local step open for longer
    // than a workflow task may run (heartbeat at 8 s of 10 s; the local step itself may take 10 s), so the case shows the status while its code still waits.
    const slowRecord: typeof record = async (i) => {
      await record(i);
      if (i.entries.some((e) => e.event === 'case.escalated'))
        await new Promise((resolve) => setTimeout(resolve, 9_000));
    };
    const taskQueue = `test-${randomUUID()}`;
    const worker = await workerOn(taskQueue, deps, { extraActivities: { recordJournal: slowRecord } });
    await worker.runUntil(async () => {
      const cases = new CaseClient(client, db, taskQueue);
      const tasks = new TaskClient(client, db);
      const { caseId } = await cases.submit(applicationOf('company_car'));
      const taskId = `${caseId}:review`;
      const actor = { id: 'sb.schnell', role: 'case_worker' as const, authorityId: 'stadt-musterstadt' };
      await waitFor(async () => (await getCase(db, { caseId }))?.status === 'awaiting_case_worker', {
        what: 'the case row to show awaiting_case_worker',
        intervalMs: 10,
        timeoutMs: 30_000,
      });
      // At once: the update reaches the workflow in the heartbeat task, before the task's inbox row exists.
      const claimed = await tasks.act(caseId, { action: 'claim', taskId, actor });
      expect(claimed).toMatchObject({ taskId, state: 'claimed', assignee: 'sb.schnell' });
      await tasks.act(caseId, {
        action: 'complete',
        taskId,
        actor,
        outcome: 'reject',
        justification: 'Keine private Nutzung belegt.',
      });
      expect((await cases.result(caseId)).outcome).toBe('rejected');
      // The log keeps its order: the task is opened before anyone claims it.
      const types = (await listCaseEvents(db, { caseId })).map((e) => e.type);
      expect(types.indexOf('task.opened')).toBeGreaterThan(types.indexOf('case.escalated'));
      expect(types.indexOf('task.claimed')).toBeGreaterThan(types.indexOf('task.opened'));
      expect(types.indexOf('task.completed')).toBeGreaterThan(types.indexOf('task.claimed'));
    });
  }, 60_000);

  it('re-checks the trust level in the workflow: below the minimum it refuses without asking any register', async () => {
    const registers = new CountingRegisters(testDeps().registers);
    await withWorker(
      async ({ taskQueue }) => {
        // Intake refuses this already (see intake.test.ts); the workflow must not rely on that.
        const caseId = await startBypassingIntake(taskQueue, applicationOf('low_trust'));
        const result = await client.workflow.getHandle(caseWorkflowId(caseId)).result();
        expect(result.outcome).toBe('refused');
        expect(registers.calls).toEqual([]);
        expect(await listPayments(db, { caseId })).toEqual([]);
        expect(await listDeliveries(db, { caseId })).toHaveLength(1);
      },
      { registers },
    );
  });

  it('does not fail the case when a register stays down: it asks the applicant for the documents instead', async () => {
    const down: Registers = { lookup: async () => Promise.reject(new Error('connection refused')) };
    await withWorker(
      async ({ cases }) => {
        const { caseId } = await cases.submit({
          ...applicationOf('resident'),
          deadlines: { registerRetryInitialMs: 50, registerMaxAttempts: 3 },
        });
        await waitForStatus(cases, caseId, 'awaiting_applicant');
        const { requestedEvidence } = await cases.status(caseId);
        expect(requestedEvidence?.map((e) => [e.evidenceType, e.status])).toEqual([
          ['residence', 'requested'],
          ['vehicle_registration', 'requested'],
        ]);
        await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
      },
      { registers: down },
    );
  });

  it('turns a repeated submission with the same idempotency key into the same single case', async () => {
    await withWorker(async ({ cases }) => {
      const key = `portal-${Date.now()}-${Math.random()}`;
      const first = await cases.submit({ ...applicationOf('resident', 1), idempotencyKey: key });
      const second = await cases.submit({ ...applicationOf('resident', 1), idempotencyKey: key });
      expect(second).toMatchObject({ caseId: first.caseId, duplicate: true });
      expect(first.duplicate).toBe(false);
      await cases.result(first.caseId);
      expect(await listPayments(db, { caseId: first.caseId })).toHaveLength(1);
      const found = client.workflow.list({ query: `CaseId = "${first.caseId}"` });
      const runs = [];
      for await (const w of found) runs.push(w.runId);
      expect(runs).toHaveLength(1);
    });
  });
});

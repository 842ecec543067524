import { describe, expect, it } from 'vitest';
import { CaseClient, type SubmitApplication } from '../client/case-client.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { listDecisions } from '../db/queries/decisions.js';
import { listPayments } from '../db/queries/payments.js';
import { findTask, listOpenTasks } from '../db/queries/tasks.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { whatIf } from '../services/what-if.js';
import { client, db, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { eventually } from './support/wait.js';
import { waitForStatus } from './wait.js';

type Cases = { cases: CaseClient };

/** Submits, lets the case run to its end or to the case worker, and returns what a user would look at. */
async function run(
  { cases }: Cases,
  submission: SubmitApplication,
  until: 'closed' | 'awaiting_case_worker' = 'closed',
) {
  const { caseId } = await cases.submit(submission);
  if (until === 'closed') await cases.result(caseId);
  else {
    await waitForStatus(cases, caseId, 'awaiting_case_worker');
    // The inbox row is a projection the workflow writes right after it starts waiting.
    await eventually(async () => findTask(db, { taskId: `${caseId}:review` }), 'the task in the inbox');
    // The task's `task.opened` event and the case row's update are written beside the inbox row, not before it: wait
    // until the case row has taken that event's sequence number, the state the comparisons read later.
    await eventually(async () => {
      const opened = (await listCaseEvents(db, { caseId })).find((ev) => ev.type === 'task.opened');
      const row = await getCase(db, { caseId });
      return opened && row && row.seq >= opened.seq ? true : undefined;
    }, 'the case row to record the opened task');
  }
  const [stored] = await listDecisions(db, { caseId });
  return { caseId, row: await getCase(db, { caseId }), stored: stored!, payments: await listPayments(db, { caseId }) };
}

const stop = (caseId: string) => client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
const ruleIds = (d: { firedRules: Array<{ ruleId: string; outcome: string }> }, outcome: string) =>
  d.firedRules.filter((r) => r.outcome === outcome).map((r) => r.ruleId);

describe('sample services decide approve, reject and escalate, with stored explanations', () => {
  it('Förderung eines Lastenrads: grant capped by rules, no grant for a trailer (no hearing needed, § 28 Abs. 2 Nr. 3 VwVfG), four-eyes review above the threshold', async () => {
    await withWorker(async (e) => {
      const [approved, rejected, escalated] = await Promise.all([
        run(e, lastenradApplication('eligible', 1)),
        // Without residence the rules' rejection first hears the applicant (test/hearing.test.ts); a trailer needs none.
        run(e, lastenradApplication('not_cargo_bike', 1)),
        run(e, lastenradApplication('expensive', 1), 'awaiting_case_worker'),
      ]);
      expect(approved.row).toMatchObject({ status: 'closed', outcome: 'approved' });
      expect(approved.stored).toMatchObject({
        outcome: 'approve',
        ruleSetId: 'lastenrad-foerderung',
        ruleSetVersion: '1',
        payoutCents: 100_000,
      });
      expect(ruleIds(approved.stored, 'approve')).toEqual(['eligible-cargo-bike']);
      expect(approved.stored.firedRules.find((r) => r.ruleId === 'grant-amount')).toMatchObject({
        legalBasis: expect.stringContaining('Förderrichtlinie'),
        reads: ['cargoBike', 'invoiceMatches', 'invoiceStatus'],
      });
      // The grant the rules computed is what was paid out, once.
      expect(approved.payments).toEqual([
        expect.objectContaining({ kind: 'payout', status: 'paid_out', amountCents: 100_000 }),
      ]);

      expect(rejected.row).toMatchObject({ outcome: 'rejected' });
      expect(rejected.stored).toMatchObject({ outcome: 'reject', facts: { cargoBike: false } });
      expect(ruleIds(rejected.stored, 'reject')).toEqual(['not-a-cargo-bike']);

      expect(escalated.stored).toMatchObject({ outcome: 'escalate', facts: { invoiceAmountCents: 520_000 } });
      expect(ruleIds(escalated.stored, 'escalate')).toEqual(['above-review-threshold']);
      expect((await listOpenTasks(db, { authorityId: 'stadt-musterstadt' })).map((t) => t.caseId)).toContain(
        escalated.caseId,
      );
      await stop(escalated.caseId);
    });
  });

  it('Gewerbeanmeldung: fee after approval and forwarding recipients by rules, refusal on a trade prohibition, review for permit trades', async () => {
    await withWorker(async (e) => {
      const [approved, craft, rejected, escalated] = await Promise.all([
        run(e, gewerbeApplication('retail', 1)),
        run(e, gewerbeApplication('craft', 1)),
        run(e, gewerbeApplication('prohibited', 1)),
        run(e, gewerbeApplication('permit_trade', 1), 'awaiting_case_worker'),
      ]);
      expect(approved.row).toMatchObject({ outcome: 'approved' });
      expect(approved.stored).toMatchObject({
        outcome: 'approve',
        forwardTo: ['berufsgenossenschaft', 'finanzamt', 'ihk'],
      });
      expect(approved.payments).toEqual([expect.objectContaining({ amountCents: 2600 })]);
      expect(craft.stored.forwardTo).toEqual(['finanzamt', 'handwerkskammer']);

      expect(rejected.row).toMatchObject({ outcome: 'rejected' });
      expect(ruleIds(rejected.stored, 'reject')).toEqual(['trade-prohibited']);
      expect(rejected.stored.firedRules.find((r) => r.ruleId === 'trade-prohibited')?.legalBasis).toBe('§ 35 GewO');
      expect(rejected.payments).toEqual([]);

      expect(ruleIds(escalated.stored, 'escalate')).toEqual(['permit-trade-needs-review']);
      expect(escalated.stored.facts).toMatchObject({ tradeCategory: 'bewachung', permitStatus: 'not_found' });
      await stop(escalated.caseId);
    });
  });

  it('Bewohnerparkausweis: a second authority lays its own fee account, seal identity and deadline over the same definition', async () => {
    await withWorker(async (e) => {
      const atBeispielheim = (s: SubmitApplication): SubmitApplication => ({
        ...s,
        authorityId: 'stadt-beispielheim',
        application: {
          ...s.application,
          address: { street: 'Hauptstraße 1', postalCode: '12345', city: 'Beispielheim' },
        },
      });
      const [approved, escalated] = await Promise.all([
        run(e, atBeispielheim(applicationOf('resident', 2))),
        run(e, atBeispielheim(applicationOf('company_car', 2)), 'awaiting_case_worker'),
      ]);
      const result = await e.cases.result(approved.caseId);
      expect(result.bescheid.keyId).toMatch(/^stadt-beispielheim-ordnungsamt#/);
      expect(approved.payments).toEqual([
        expect.objectContaining({ account: 'DE12500105170648489890', amountCents: 3060 }),
      ]);
      const [task] = (await listOpenTasks(db, { authorityId: 'stadt-beispielheim' })).filter(
        (t) => t.caseId === escalated.caseId,
      );
      const days = (task!.dueAt.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThan(7.1);
      await stop(escalated.caseId);
    });
  });

  it('a changed rule set leaves earlier decisions unchanged; "what if" re-decides a stored case under the new version without touching it', async () => {
    await withWorker(async ({ cases, taskQueue }) => {
      const after2027 = new CaseClient(client, db, taskQueue, () => new Date('2027-01-04T09:00:00Z'));
      const earlier = await run({ cases }, applicationOf('company_car', 3), 'awaiting_case_worker');
      const earlierResident = await run({ cases }, applicationOf('resident', 3));
      const later = await run({ cases: after2027 }, applicationOf('company_car', 4));
      const laterResident = await run({ cases: after2027 }, applicationOf('resident', 4));

      expect(earlier.stored).toMatchObject({ ruleSetVersion: '1', outcome: 'escalate' });
      expect(later.stored).toMatchObject({ ruleSetVersion: '2', outcome: 'reject' });
      expect(ruleIds(later.stored, 'reject')).toEqual(['company-vehicle-excluded']);
      expect(later.stored.ruleSetHash).not.toBe(earlier.stored.ruleSetHash);
      expect(earlierResident.payments[0]?.amountCents).toBe(3060);
      expect(laterResident.payments[0]?.amountCents).toBe(12000);
      // The earlier case still waits under v1, its decision row unchanged.
      expect((await cases.status(earlier.caseId)).decision).toMatchObject({ ruleSetVersion: '1', outcome: 'escalate' });
      expect((await listDecisions(db, { caseId: earlier.caseId }))[0]).toEqual(earlier.stored);

      const what = await whatIf(db, { caseId: earlier.caseId, ruleSetVersion: '2' });
      expect(what).toMatchObject({
        changed: true,
        stored: { outcome: 'escalate', ruleSetVersion: '1' },
        alternative: { outcome: 'reject', ruleSetVersion: '2' },
      });
      expect(await listDecisions(db, { caseId: earlier.caseId })).toEqual([earlier.stored]);
      expect(await getCase(db, { caseId: earlier.caseId })).toEqual(earlier.row);
      await stop(earlier.caseId);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { RetentionReport } from '../activities/retention.js';
import { RETENTION_SCHEDULE_ID, ensureRetentionSchedule } from '../client/retention-schedule.js';
import { caseWorkflowId } from '../contracts/ids.js';
import { recordDelivery } from '../db/queries/deliveries.js';
import { recordSeal } from '../db/queries/seals.js';
import { cases, deliveries } from '../db/schema.js';
import { client, db, withWorker } from './harness.js';

const PARKING = '99050012104000'; // retention 6 years

async function closedCase(
  e: { deps: { documents: { put(b: Uint8Array, t: string): Promise<{ sha256: string }> } } },
  closedAt: Date,
) {
  const caseId = randomUUID();
  const source = await e.deps.documents.put(Buffer.from(`Bescheid ${caseId}`), 'application/pdf');
  const sealed = await e.deps.documents.put(Buffer.from(`gesiegelt ${caseId}`), 'application/pdf');
  await db.insert(cases).values({
    caseId,
    workflowId: caseWorkflowId(caseId),
    serviceKey: PARKING,
    authorityId: 'stadt-musterstadt',
    applicantSubject: `pseudonym-${caseId}`,
    ruleSetVersion: '1',
    status: 'closed',
    outcome: 'approved',
    bescheidSha256: sealed.sha256,
    submittedAt: closedAt,
    closedAt,
  });
  await recordSeal(db, {
    sealId: caseId.replace(/-/g, ''),
    caseId,
    authorityId: 'stadt-musterstadt',
    sourceSha256: source.sha256,
    sealedSha256: sealed.sha256,
    keyId: 'k',
    sealedAt: closedAt,
  });
  await recordDelivery(db, {
    idempotencyKey: `case:${caseId}:deliver`,
    deliveryId: caseId,
    caseId,
    recipient: `pseudonym-${caseId}`,
    channel: 'postbox',
    subject: 'Bescheid',
    documentSha256: sealed.sha256,
  });
  return { caseId, documents: [source.sha256, sealed.sha256] };
}

describe('retention (Löschfristen)', () => {
  it('erases personal data and documents of cases past their retention period, keeps the rest, and a rerun erases nothing more', async () => {
    await withWorker(async (e) => {
      const expired = await closedCase(e, new Date('2019-01-10T10:00:00Z'));
      const recent = await closedCase(e, new Date(Date.now() - 24 * 3600_000));
      const run = () =>
        client.workflow.execute('retentionWorkflow', {
          taskQueue: e.taskQueue,
          workflowId: `retention-${randomUUID()}`,
          args: [],
        }) as Promise<RetentionReport>;

      const report = await run();
      expect(report.erasedCases).toContain(expired.caseId);
      expect(report.erasedCases).not.toContain(recent.caseId);
      for (const sha256 of expired.documents) await expect(e.deps.documents.get(sha256)).rejects.toThrow();
      for (const sha256 of recent.documents) expect((await e.deps.documents.get(sha256)).byteLength).toBeGreaterThan(0);
      const [row] = await db.select().from(cases).where(eq(cases.caseId, expired.caseId));
      // Kept: the case, its outcome and the seal record; gone: who applied.
      expect(row).toMatchObject({ applicantSubject: null, outcome: 'approved', status: 'closed' });
      expect((await db.select().from(deliveries).where(eq(deliveries.caseId, expired.caseId)))[0]!.recipient).toBe(
        'gelöscht',
      );
      expect((await db.select().from(cases).where(eq(cases.caseId, recent.caseId)))[0]!.applicantSubject).toBe(
        `pseudonym-${recent.caseId}`,
      );

      expect((await run()).erasedCases).not.toContain(expired.caseId);
    });
  });

  it('the daily schedule is registered once', async () => {
    await ensureRetentionSchedule(client, 'retention-test-queue');
    await ensureRetentionSchedule(client, 'retention-test-queue');
    const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    try {
      const d = await handle.describe();
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow' });
      expect(d.spec.intervals?.[0]?.every).toBe(24 * 3600_000);
    } finally {
      await handle.delete();
    }
  });
});

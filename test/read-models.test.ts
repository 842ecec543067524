import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createCaseRecordActivities, type RecordStageInput } from '../activities/case-record.js';
import type { ActivityDeps } from '../activities/deps.js';
import { connectDatabase } from '../db/client.js';
import { verifyEventChain } from '../db/event-chain.js';
import { EventPredecessorMissing, listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { seededRandom } from '../dev/stand-ins/seeded-random.js';

const database = connectDatabase(inject('databaseUrl'), { max: 8 });
afterAll(() => database.close());
const { recordStage } = createCaseRecordActivities({ db: database.db } as ActivityDeps);

const stage = (
  caseId: string,
  seq: number,
  status: RecordStageInput['status'],
  event = `stage.${seq}`,
): RecordStageInput => ({
  caseId,
  serviceKey: 'anwohnerparken',
  authorityId: 'stadt-musterstadt',
  applicantSubject: 'pseudonym',
  ruleSetVersion: 'v1',
  submittedAt: new Date().toISOString(),
  seq,
  status,
  event,
});

/** What a local activity's retries do: try again while the predecessor has not landed. */
async function withRetries(write: () => Promise<void>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return attempt;
    } catch (e) {
      if (!(e instanceof EventPredecessorMissing) || attempt > 200) throw e;
      await new Promise((r) => setImmediate(r));
    }
  }
}

describe('read models never go back in time', () => {
  it('a late write of an older stage does not overwrite the case row a newer stage wrote', async () => {
    const caseId = `rm-${randomUUID()}`;
    await recordStage(stage(caseId, 1, 'received'));
    await recordStage(stage(caseId, 2, 'validating'));
    await recordStage(stage(caseId, 3, 'deciding'));
    // The superseded attempt of stage 2 arrives after stage 3 (as after a PostgreSQL restart mid-batch).
    await recordStage(stage(caseId, 2, 'validating'));
    const row = await getCase(database.db, { caseId });
    expect({ status: row?.status, seq: row?.seq }).toEqual({ status: 'deciding', seq: 3 });
    await recordStage(stage(caseId, 4, 'closed'));
    expect((await getCase(database.db, { caseId }))?.status).toBe('closed');
  });
});

describe('the event chain under concurrency', () => {
  it('appends for one case at once, in any arrival order, still form one unbroken chain', async () => {
    const random = seededRandom(14);
    const caseIds = Array.from({ length: 4 }, () => `chain-${randomUUID()}`);
    const writes = caseIds.flatMap((caseId) => Array.from({ length: 12 }, (_, i) => stage(caseId, i + 1, 'deciding')));
    // Every write twice (a retried activity), shuffled: later seqs often arrive before their predecessors.
    const shuffled = [...writes, ...writes].sort(() => random() - 0.5);
    const attempts = await Promise.all(shuffled.map((w) => withRetries(() => recordStage(w))));
    expect(attempts.some((a) => a > 1)).toBe(true);
    for (const caseId of caseIds) {
      const events = await listCaseEvents(database.db, { caseId });
      const check = verifyEventChain(events);
      expect(check.problems).toEqual([]);
      expect(check.entries).toBe(12);
    }
  });

  it('refuses an entry whose predecessor is missing instead of linking it to an older one', async () => {
    const caseId = `chain-${randomUUID()}`;
    await recordStage(stage(caseId, 1, 'received'));
    await expect(recordStage(stage(caseId, 3, 'deciding'))).rejects.toBeInstanceOf(EventPredecessorMissing);
    expect(await listCaseEvents(database.db, { caseId })).toHaveLength(1);
  });
});

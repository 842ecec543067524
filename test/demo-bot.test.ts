import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startDemoCaseWorker } from '../dev/demo/case-worker-bot.js';
import { createTask } from '../db/queries/tasks.js';
import { db, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';

describe("the demo's case-worker bot", () => {
  it('finds the tasks of its own batch behind hundreds of older open tasks in the inbox', async () => {
    await withWorker(async ({ cases, tasks }) => {
      // An inbox as a benchmark leaves it: 250 older tasks of other cases, all due before any new one.
      const authorityId = 'stadt-musterstadt';
      for (let i = 0; i < 250; i++) {
        const caseId = `other-${randomUUID()}`;
        await createTask(db, {
          taskId: `${caseId}:review`,
          caseId,
          kind: 'review',
          serviceKey: 'bewohnerparken',
          authorityId,
          candidateGroup: 'sachbearbeitung',
          reason: 'Prüfung',
          dueAt: new Date(Date.UTC(2020, 0, 1, 0, i)),
        });
      }
      const { caseId } = await cases.submit(applicationOf('company_car'));
      const batch = new Set([caseId]);
      const bot = startDemoCaseWorker({ tasks, authorityId, onlyCases: batch, intervalMs: 50 });
      try {
        const result = await cases.result(caseId);
        expect(result.outcome).toBe('approved');
      } finally {
        await bot.stop();
      }
      // The other cases' tasks are left to a person.
      const inbox = await tasks.inbox({ authorityId, state: 'open', limit: 1, offset: 0 });
      expect(inbox.total).toBeGreaterThanOrEqual(250);
      await waitFor(
        async () =>
          (await tasks.inbox({ authorityId, state: 'completed', caseIds: [caseId], limit: 5, offset: 0 })).total > 0,
        {
          what: 'the batch case task to show completed in the inbox',
        },
      );
    });
  });
});

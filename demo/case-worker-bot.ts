import type { CaseClient } from '../client/case-client.js';
import type { Database } from '../db/client.js';
import { listOpenTasks } from '../db/queries/tasks.js';

/**
 * Plays the case worker in the demo: takes each open task from the inbox and approves it with a justification,
 * through the same update a real case worker's decision goes through.
 */
export function startDemoCaseWorker(o: { db: Database; cases: CaseClient; authorityId: string; intervalMs?: number }): { stop(): Promise<void> } {
  let running = true;
  const seen = new Set<string>();
  const loop = (async () => {
    while (running) {
      for (const task of await listOpenTasks(o.db, { authorityId: o.authorityId })) {
        if (seen.has(task.taskId)) continue;
        seen.add(task.taskId);
        await o.cases
          .decide(task.caseId, {
            taskId: task.taskId,
            caseWorker: 'demo.sachbearbeitung',
            outcome: 'approve',
            justification: 'Unterlagen geprüft; die Voraussetzungen liegen vor (Demo).',
          })
          .catch(() => seen.delete(task.taskId)); // not yet waiting for the decision: try again next round
      }
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 200));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

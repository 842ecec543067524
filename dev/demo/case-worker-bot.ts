import type { TaskClient } from '../../client/task-client.js';
import type { StaffActor } from '../../workflows/contracts/task.js';

/**
 * Plays the case workers in the demo: claims each open task from the inbox and approves it with a justification,
 * through the same claim and complete updates a real case worker's actions go through. A second person confirms under four-eyes.
 */
export function startDemoCaseWorker(o: {
  tasks: TaskClient;
  authorityId: string;
  intervalMs?: number;
  onlyCases?: ReadonlySet<string>;
}): { stop(): Promise<void> } {
  const first: StaffActor = { id: 'demo.sachbearbeitung', role: 'case_worker', authorityId: o.authorityId };
  const second: StaffActor = { id: 'demo.zweitpruefung', role: 'case_worker', authorityId: o.authorityId };
  let running = true;
  const loop = (async () => {
    while (running) {
      // The inbox can be briefly out of reach (start-up, shutdown): the next round tries again. Tasks this bot claimed
      // but could not complete (the engine was briefly unreachable between the two steps) are completed in a later round.
      const page = (p: Parameters<TaskClient['inbox']>[0]) =>
        o.tasks.inbox(p).then(
          (r) => r.items,
          () => [],
        );
      // With a batch of its own, the bot asks for exactly those cases' tasks: older tasks in the inbox (thousands, after
      // a benchmark) never push its own off the page.
      const own = o.onlyCases && [...o.onlyCases];
      if (own?.length === 0) {
        await new Promise((r) => setTimeout(r, o.intervalMs ?? 200));
        continue;
      }
      const items: Awaited<ReturnType<TaskClient['inbox']>>['items'] = [];
      for (let i = 0; i < (own?.length ?? 1); i += 500) {
        const caseIds = own?.slice(i, i + 500);
        const filter = { authorityId: o.authorityId, limit: 1000, offset: 0, ...(caseIds && { caseIds }) };
        items.push(
          ...(await page({ ...filter, state: 'open' })),
          ...(await page({ ...filter, state: 'claimed', assignee: first.id })),
          ...(await page({ ...filter, state: 'claimed', assignee: second.id })),
        );
      }
      // Only the demo's own batch: a task of any other case is left to a person.
      for (const task of items.filter((t) => !o.onlyCases || o.onlyCases.has(t.caseId))) {
        const actor = task.assignee === second.id || task.stage === 'second_approval' ? second : first;
        const claim = () => o.tasks.act(task.caseId, { action: 'claim', taskId: task.taskId, actor });
        // After a hearing (§ 28 VwVfG) the demo upholds the intended rejection.
        const heard = task.taskId.endsWith(':hearing');
        const complete = () =>
          o.tasks.act(task.caseId, {
            action: 'complete',
            taskId: task.taskId,
            actor,
            outcome: heard ? 'reject' : 'approve',
            justification: heard
              ? 'Anhörung ausgewertet; die Ablehnung bleibt begründet (Demo).'
              : 'Unterlagen geprüft; die Voraussetzungen liegen vor (Demo).',
            ...(task.stage !== 'second_approval' && {
              reasonsForApplicant: heard
                ? 'Auch nach der Anhörung liegen die Voraussetzungen nicht vor (Demo).'
                : 'Die eingereichten Unterlagen belegen die Voraussetzungen (Demo).',
            }),
          });
        // A task the inbox shows as claimed by this bot may be open in the case after all (the claim's workflow task
        // was lost with its worker after the inbox row was written): then it is claimed again.
        await (task.state === 'claimed'
          ? complete().catch(() => claim().then(complete))
          : claim().then(complete)
        ).catch(() => {}); // claimed by someone else meanwhile, or the projection lags: the next round sees the truth
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

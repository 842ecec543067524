// `--waiting N`: N cases that each wait on a case worker, and what the worker costs while they wait. The worker is a
// process of its own (`worker.ts` with a prebuilt workflow bundle, as in production), so its memory is its own.
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, count, eq, inArray } from 'drizzle-orm';
import { bundleWorkflows } from '../app/workflow-bundle.js';
import { CaseClient } from '../client/case-client.js';
import { sampleApplications } from '../dev/demo/sample-applications.js';
import { percentile } from '../dev/demo/stats.js';
import { cases as caseRows } from '../db/schema.js';
import { listTasks } from '../db/queries/tasks.js';
import type { Engine } from '../dev/engine.js';
import { cpuMsOf, memoryOf, startWorkers, stopWorkers } from './worker-processes.js';

const WINDOW = 40;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** `heapMib`: the worker's V8 heap limit (`--max-old-space-size`), as deploy/k8s/worker.yaml sets it. */
export async function soak(engine: Engine, n: number, cachedWorkflows: number, heapMib: number): Promise<void> {
  // Waiting means: the journal wrote the status before the case began to wait.
  const countWaiting = async (ids: string[]) => {
    let total = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      const [row] = await engine.db
        .select({ n: count() })
        .from(caseRows)
        .where(and(inArray(caseRows.caseId, ids.slice(i, i + 1000)), eq(caseRows.status, 'awaiting_case_worker')));
      total += row?.n ?? 0;
    }
    return total;
  };
  const waiting = sampleApplications(40 * n + 1000, 7)
    .filter((a) => a.kind === 'company_car')
    .map((a) => a.submission);
  if (waiting.length < n) throw new Error('not enough sample applicants with a company car');
  const bundle = join(tmpdir(), `soak-workflows-${randomUUID()}.js`);
  writeFileSync(bundle, await bundleWorkflows());
  const taskQueue = `soak-${randomUUID()}`;
  const [worker] = await startWorkers(1, {
    ...engine.processEnv,
    TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE: bundle,
    WORKER_MAX_CACHED_WORKFLOWS: String(cachedWorkflows),
    NODE_OPTIONS: `--max-old-space-size=${heapMib}`,
  });
  const pid = worker!.pid!;
  // A failed soak leaves no worker behind.
  const killWorker = () => void worker!.kill('SIGKILL');
  process.once('exit', killWorker);
  const cases = new CaseClient(engine.client, engine.db, taskQueue);
  const rssNow = () => mib(memoryOf(pid).rss);
  const startRss = memoryOf(pid).rss;

  console.log(`» submitting ${n} cases that wait on a case worker, at most ${WINDOW} on their way to the wait at once`);
  const ids: string[] = [];
  const started = performance.now();
  // A window, not a flood: a city's cases arrive over the day, and a flood measures only the machine's queueing.
  let waitingNow = 0;
  let next = 0;
  while (ids.length < n) {
    waitingNow = await countWaiting(ids);
    const room = Math.min(WINDOW - (ids.length - waitingNow), n - ids.length);
    await Promise.all(
      Array.from({ length: Math.max(0, room) }, async () => ids.push((await cases.submit(waiting[next++]!)).caseId)),
    );
    if (ids.length % 100 < WINDOW)
      console.log(`» ${ids.length} submitted, ${waitingNow} waiting, worker RSS ${rssNow()}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const submitted = (performance.now() - started) / 1000;
  for (let seen = 0, last = -1; (seen = await countWaiting(ids)) < n; last = seen) {
    if (seen !== last) console.log(`» ${seen}/${n} waiting, worker RSS ${rssNow()}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const allWaiting = (performance.now() - started) / 1000;

  // Everything waits: what does the worker spend now?
  const cpu = cpuMsOf(pid);
  const quietFrom = performance.now();
  await new Promise((r) => setTimeout(r, 30_000));
  const quietCpu = (cpuMsOf(pid) - cpu) / (performance.now() - quietFrom);

  const inbox: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await listTasks(engine.db, { authorityId: 'stadt-musterstadt', state: 'open', limit: 50, offset: (i % 10) * 50 });
    inbox.push(performance.now() - t);
  }
  const open = await listTasks(engine.db, { authorityId: 'stadt-musterstadt', state: 'open', limit: 1, offset: 0 });
  const memory = memoryOf(pid);
  process.off('exit', killWorker);
  await stopWorkers([worker!]);
  rmSync(bundle, { force: true });

  console.log(`\nsoak       ${n} cases waiting on a case worker (${open.total} open tasks in the inbox)`);
  console.log(
    `start rate ${(n / submitted).toFixed(1)} submissions/s; all ${n} waiting after ${allWaiting.toFixed(0)} s (${(n / allWaiting).toFixed(1)} cases/s to their wait)`,
  );
  console.log(
    `worker RSS ${mib(startRss)} ready, peak ${mib(memory.peak)}, now ${mib(memory.rss)} (the worker process alone: worker.ts with a prebuilt bundle, sticky cache bounded at ${cachedWorkflows} workflows, V8 heap at ${heapMib} MiB)`,
  );
  console.log(
    `idle CPU   ${(quietCpu * 100).toFixed(2)} % of a core (the worker process) over 30 s while all cases wait`,
  );
  console.log(
    `inbox      p50 ${percentile(inbox, 50).toFixed(1)} ms, p95 ${percentile(inbox, 95).toFixed(1)} ms (listTasks, 50 per page, over ${open.total} open tasks)`,
  );
}

// Throughput of the case workflow with one worker process vs N, on the same Temporal server and PostgreSQL
// (the demo's embedded stack). Worker processes are `worker.ts`, exactly what `npm run worker` runs. Asserts nothing.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { CaseClient } from '../client/case-client.js';
import { loadConfig } from '../platform/config.js';
import { useBenchDataDir } from './data-dir.js';
import { sampleApplications, sampleRegisterData } from '../dev/demo/sample-applications.js';
import { percentile } from '../dev/demo/stats.js';
import { startEngine } from '../dev/engine.js';
import { startWorkers, stopWorkers } from './worker-processes.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
  },
});
const N = Number(values.cases);
const CONCURRENCY = Number(values.concurrency);
const WORKERS = Number(values.workers);

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataDir = await useBenchDataDir('workers');
  console.log(`» benchmark data (database, Temporal history, documents) in ${dataDir}, apart from the demo's`);
  const loaded = loadConfig();
  const config = {
    ...loaded,
    paymentSandboxDelayMs: 0,
    registerSandbox: { ...loaded.registerSandbox, latencyMs: 0, errorRate: 0, timeoutRate: 0 },
  };
  const engine = await startEngine(config, {
    registerData: sampleRegisterData(),
    progress: (m) => console.log(`» ${m}`),
  });
  const residents = sampleApplications(20 * N + 200, 99)
    .filter((a) => a.kind === 'resident')
    .map((a) => a.submission);
  let offset = 0;
  const rows: Array<{ workers: number; perSecond: number; p50: number; p95: number }> = [];
  try {
    for (const workers of [1, WORKERS]) {
      // Each run has its own task queue, so the demo's in-process worker never takes part.
      const taskQueue = `bench-workers-${randomUUID()}`;
      console.log(`» starting ${workers} worker process(es) on ${taskQueue}`);
      const children = await startWorkers(workers, { ...engine.processEnv, TASK_QUEUE: taskQueue });
      const cases = new CaseClient(engine.client, engine.db, taskQueue);
      const run = async (i: number) => cases.result((await cases.submit(residents[i]!)).caseId);
      const measure = async (n: number) => {
        const latencies: number[] = [];
        let next = 0;
        const base = offset;
        offset += n;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
            while (next < n) {
              const i = base + next++;
              const t = performance.now();
              await run(i);
              latencies.push(performance.now() - t);
            }
          }),
        );
        return {
          perSecond: n / ((performance.now() - started) / 1000),
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
        };
      };
      await measure(Math.min(10, N)); // warm-up: sticky caches, connection pools
      console.log(`» ${N} cases with ${workers} worker process(es), ${CONCURRENCY} in flight`);
      rows.push({ workers, ...(await measure(N)) });
      await stopWorkers(children);
    }
  } finally {
    await engine.stop();
  }
  console.log(`\n${'workers'.padEnd(8)} ${'throughput'.padStart(12)} ${'p50'.padStart(10)} ${'p95'.padStart(10)}`);
  for (const r of rows)
    console.log(
      `${String(r.workers).padEnd(8)} ${r.perSecond.toFixed(2).padStart(9)} /s ${r.p50.toFixed(0).padStart(7)} ms ${r.p95.toFixed(0).padStart(7)} ms`,
    );
  console.log(
    `ratio    ${(rows[1]!.perSecond / rows[0]!.perSecond).toFixed(2)} x throughput with ${WORKERS} worker processes vs 1 (same Temporal server, PostgreSQL and machine)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

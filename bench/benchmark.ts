// Throughput and latency of the case workflow against a baseline of plain no-op activities, on the same Temporal
// server in the same run; history events and worker CPU per case; decision evaluation time. Prints, asserts nothing.
// The stand-ins for outside systems run in a process of their own (bench/stand-ins-process.ts), so the engine's
// process is measured alone; both processes' CPU is printed, and the engine's CPU per case by activity kind.
// `--waiting N` instead starts N cases that wait on a case worker and reports the soak figures (bench/soak.ts);
// `--burst N` sends N submissions over HTTP to a separate API process and one worker process (bench/burst.ts).
// Every mode keeps its data in `.data/bench/<mode>` (bench/data-dir.ts), never in the demo's `.data`.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NativeConnection, Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../platform/config.js';
import { useBenchDataDir } from './data-dir.js';
import { sampleApplications, sampleRegisterData } from '../dev/demo/sample-applications.js';
import { percentile } from '../dev/demo/stats.js';
import { startEngine } from '../dev/engine.js';
import { workflowsPath } from '../app/case-worker.js';
import { decisionTimes, storedDecisions } from './decision-times.js';
import { historyShape, type HistoryShape } from './history-shape.js';
import { soak } from './soak.js';
import { cpuByActivityKind } from './activity-profile.js';
import { burst } from './burst.js';
import { cpuByThread, cpuByThreadSince } from './thread-cpu.js';
import { blobFolderBytes, databaseBytes } from './storage.js';
import { startStandInsProcess, type StandInsProcess } from './stand-ins.js';
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { payloadKeyRing } from '../platform/codec/keys.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    // Cases (and as many baseline workflows) before the measured ones. V8 optimizes the case's code (PDF, CMS, SQL,
    // the SDK) over hundreds of functions as they get hot, much later than the baseline's few: a short run counts
    // that compilation against the cases.
    warmup: { type: 'string', default: '10' },
    waiting: { type: 'string' },
    burst: { type: 'string' },
    clients: { type: 'string', default: '100' },
    // The soak's worker heap limit, as deploy/k8s/worker.yaml sets it.
    'worker-heap': { type: 'string', default: '512' },
  },
});
const N = Number(values.cases);
const CONCURRENCY = Number(values.concurrency);
const WARMUP = Number(values.warmup);

interface Figures {
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  /** Worker process CPU (user + system) per run, in ms. */
  cpuMs: number;
  /** The stand-ins process's CPU per run, in ms. */
  standInsCpuMs: number;
  /** Worker process CPU per run by thread name (main thread, workflow thread, the SDK core's threads, GC), in ms. */
  threads: Map<string, number>;
}

let standIns: StandInsProcess | undefined;

async function measure(n: number, run: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const threads = cpuByThread();
  const standInsCpu = standIns?.cpuMs() ?? 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await run(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    seconds,
    perSecond: n / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuMs: (used.user + used.system) / 1000 / n,
    standInsCpuMs: ((standIns?.cpuMs() ?? 0) - standInsCpu) / n,
    threads: new Map([...cpuByThreadSince(threads)].map(([name, ms]) => [name, ms / n])),
  };
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataDir = await useBenchDataDir(values.waiting ? 'waiting' : values.burst ? 'burst' : 'cases');
  console.log(`» benchmark data (database, Temporal history, documents) in ${dataDir}, apart from the demo's`);
  const loaded = loadConfig();
  // No artificial delay or fault anywhere: the figures are the engine's own cost.
  const config = {
    ...loaded,
    paymentSandboxDelayMs: 0,
    registerSandbox: { ...loaded.registerSandbox, latencyMs: 0, errorRate: 0, timeoutRate: 0 },
  };
  if (values.burst) {
    await burst(config, { submissions: Number(values.burst), clients: Number(values.clients) });
    return;
  }
  standIns = await startStandInsProcess();
  console.log(`» stand-ins (registers, payments, postbox, TSA, forwarding) in their own process`);
  const engine = await startEngine(
    {
      ...config,
      registerBaseUrl: standIns.urls.registers,
      paymentProviderUrl: standIns.urls.payments,
      postboxUrl: standIns.urls.postbox,
      tsaUrl: standIns.urls.tsa,
      forwardingUrl: standIns.urls.forwarding,
    },
    {
      registerData: sampleRegisterData(),
      progress: (m) => console.log(`» ${m}`),
    },
  );
  if (values.waiting) {
    await soak(engine, Number(values.waiting), config.worker.maxCachedWorkflows, Number(values['worker-heap']));
    await engine.stop();
    await standIns.stop();
    return;
  }
  const connection = await NativeConnection.connect({ address: engine.temporal.address });
  const baselineQueue = `bench-baseline-${randomUUID()}`;
  const baselineWorker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: baselineQueue,
    workflowsPath,
    dataConverter: engineDataConverter(payloadKeyRing(config)),
    activities: { noop: async (step: number) => step },
  });
  const PROFILED = Math.min(N, 50);
  const residents = sampleApplications(4 * (N + WARMUP + PROFILED) + 100, 42)
    .filter((a) => a.kind === 'resident')
    .map((a) => a.submission);
  if (residents.length < N + PROFILED + WARMUP) throw new Error('not enough sample applicants');

  const caseIds: string[] = [];
  const runCase = async (i: number) => {
    const { caseId } = await engine.cases.submit(residents[i]!);
    caseIds.push(caseId);
    return engine.cases.result(caseId);
  };
  let shape = { activities: 0, localActivities: 0 };
  const runBaseline = (_: number) =>
    engine.client.workflow.execute('baselineWorkflow', {
      taskQueue: baselineQueue,
      workflowId: `bench:${randomUUID()}`,
      args: [shape],
    });

  const report = await baselineWorker.runUntil(async () => {
    console.log(`» warming up: ${WARMUP} cases and ${WARMUP} baseline workflows`);
    await measure(WARMUP, (i) => runCase(N + i));
    // The baseline has one plain activity for every activity the case runs, local ones included; no records, no search attributes.
    const warm = await historyShape(engine.client, caseIds[0]!);
    shape = { activities: warm.activities + warm.localActivities - recordsIn(warm), localActivities: 0 };
    await measure(WARMUP, runBaseline);
    caseIds.length = 0;
    console.log(`» ${N} baseline workflows (${shape.activities} no-op activities), ${CONCURRENCY} in flight`);
    const baseline = await measure(N, runBaseline);
    console.log(`» ${N} cases of the sample service, ${CONCURRENCY} in flight`);
    const cases = await measure(N, runCase);
    const shapes = await Promise.all(caseIds.map((id) => historyShape(engine.client, id)));
    // A separate, profiled run, so the profiler's own cost stays out of the figures above.
    console.log(`» ${PROFILED} more cases under the CPU profiler, for the CPU by activity kind`);
    const measuredIds = [...caseIds];
    const byKind = await cpuByActivityKind(() => measure(PROFILED, (i) => runCase(N + WARMUP + i)));
    caseIds.length = 0;
    caseIds.push(...measuredIds);
    return { baseline, cases, shapes, byKind };
  });
  const stored = await storedDecisions(engine.db, caseIds.slice(0, 50));
  // Storage per case, over every case this run started (warm-up and profiled ones included).
  const database = await databaseBytes(engine.db);
  const blobs = await blobFolderBytes(config.dataDir);
  await connection.close();
  await engine.stop();
  await standIns.stop();
  // After the engine stopped, so the worker's own work does not show up as decision time.
  const decisions = await decisionTimes(stored);

  const events = report.shapes.map((s) => s.events);
  const row = (name: string, f: Figures) =>
    `${name.padEnd(10)} ${f.perSecond.toFixed(1).padStart(8)} /s ${f.p50.toFixed(0).padStart(8)} ms ${f.p95.toFixed(0).padStart(8)} ms ${f.cpuMs.toFixed(1).padStart(8)} ms`;
  console.log(
    `\n${''.padEnd(10)} ${'throughput'.padStart(10)} ${'p50'.padStart(11)} ${'p95'.padStart(11)} ${'CPU/wf'.padStart(11)}`,
  );
  console.log(row('baseline', report.baseline));
  console.log(row('cases', report.cases));
  console.log(
    `ratio      ${(report.cases.perSecond / report.baseline.perSecond).toFixed(2).padStart(8)} x ` +
      `${(report.cases.p50 / report.baseline.p50).toFixed(2).padStart(8)} x  ${(report.cases.p95 / report.baseline.p95).toFixed(2).padStart(8)} x` +
      `   (cases / baseline; throughput below 1 and latency above 1 are the engine's own cost)`,
  );
  console.log(
    `history    median ${percentile(events, 50)} events per automated case (min ${Math.min(...events)}, max ${Math.max(...events)}); ` +
      `${report.shapes[0]?.activities} activities, ${report.shapes[0]?.localActivities} local activities`,
  );
  const bytes = report.shapes.map((s) => s.bytes);
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  console.log(
    `storage    history ${kib(percentile(bytes, 50))} per case (median); PostgreSQL ${kib(database.bytes / database.cases)} and documents ${kib(blobs / database.cases)} per case (${database.cases} cases${config.blobStore.kind === 'folder' ? '' : `; documents in ${config.blobStore.kind}, not counted`})`,
  );
  console.log(
    `worker CPU ${report.cases.cpuMs.toFixed(1)} ms per case (engine process, user + system; baseline ${report.baseline.cpuMs.toFixed(1)} ms)`,
  );
  console.log(
    `stand-ins  ${report.cases.standInsCpuMs.toFixed(1)} ms CPU per case in their own process (baseline ${report.baseline.standInsCpuMs.toFixed(1)} ms)`,
  );
  const threadRow = (f: Figures) =>
    [...f.threads]
      .filter(([, ms]) => ms >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
      .join(', ');
  console.log(`threads    engine CPU ms per case by thread: ${threadRow(report.cases)}`);
  console.log(`           per baseline workflow: ${threadRow(report.baseline)}`);
  const kinds = Object.entries(report.byKind)
    .map(([kind, ms]) => `${kind} ${(ms / PROFILED).toFixed(1)}`)
    .join(', ');
  console.log(`by kind    engine CPU ms per case from a profile of ${PROFILED} cases: ${kinds}`);
  console.log(
    `decisions  p50 ${decisions.p50.toFixed(3)} ms, p99 ${decisions.p99.toFixed(3)} ms over ${decisions.runs} evaluations`,
  );
}

// Journal writes (the case's own records) are engine overhead, not work the baseline should copy.
const recordsIn = (s: HistoryShape): number => s.journalRecords;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

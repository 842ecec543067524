// Throughput and latency of the case workflow against a baseline of the same shape with no-op activities,
// on the same Temporal server in the same run. Prints figures and ratios; asserts nothing.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NativeConnection, Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config.js';
import { sampleApplications, sampleRegisterData } from '../demo/sample-applications.js';
import { percentile } from '../demo/stats.js';
import { startEngine } from '../dev/engine.js';
import { workflowsPath } from '../app/case-worker.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '20' } } });
const N = Number(values.cases);
const CONCURRENCY = Number(values.concurrency);
// The approve path of a parking permit as its history shows it: plan, validate, identity, 2 evidence, fee request and check,
// decide, render, seal, deliver, archive (12 activities) and 13 local records of its stages and events.
const SHAPE = { activities: 12, localActivities: 13 };

interface Figures {
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
}

async function measure(n: number, run: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
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
  return { seconds, perSecond: n / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const loaded = loadConfig();
  // No artificial delay or fault anywhere: the figures are the engine's own cost.
  const config = { ...loaded, paymentSandboxDelayMs: 0, registerSandbox: { ...loaded.registerSandbox, latencyMs: 0, errorRate: 0, timeoutRate: 0 } };
  const engine = await startEngine(config, { registerData: sampleRegisterData(), progress: (m) => console.log(`» ${m}`) });
  const connection = await NativeConnection.connect({ address: engine.temporal.address });
  const baselineQueue = `bench-baseline-${randomUUID()}`;
  const baselineWorker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: baselineQueue,
    workflowsPath,
    activities: { noop: async (step: number) => step },
  });
  const residents = sampleApplications(4 * N + 100, 42).filter((a) => a.kind === 'resident').map((a) => a.submission);
  if (residents.length < N + 10) throw new Error('not enough sample applicants');

  const runCase = async (i: number) => engine.cases.result((await engine.cases.submit(residents[i]!)).caseId);
  const runBaseline = (_: number) =>
    engine.client.workflow.execute('baselineWorkflow', { taskQueue: baselineQueue, workflowId: `bench:${randomUUID()}`, args: [SHAPE] });

  const report = await baselineWorker.runUntil(async () => {
    console.log(`» warming up`);
    await measure(10, runBaseline);
    await measure(10, (i) => runCase(N + i));
    console.log(`» ${N} baseline workflows (${SHAPE.activities} no-op activities + ${SHAPE.localActivities} no-op local activities), ${CONCURRENCY} in flight`);
    const baseline = await measure(N, runBaseline);
    console.log(`» ${N} cases of the sample service, ${CONCURRENCY} in flight`);
    const cases = await measure(N, runCase);
    return { baseline, cases };
  });
  await connection.close();
  await engine.stop();

  const row = (name: string, f: Figures) =>
    `${name.padEnd(10)} ${f.perSecond.toFixed(1).padStart(8)} /s ${f.p50.toFixed(0).padStart(8)} ms ${f.p95.toFixed(0).padStart(8)} ms`;
  console.log(`\n${''.padEnd(10)} ${'throughput'.padStart(10)} ${'p50'.padStart(11)} ${'p95'.padStart(11)}`);
  console.log(row('baseline', report.baseline));
  console.log(row('cases', report.cases));
  console.log(
    `ratio      ${(report.cases.perSecond / report.baseline.perSecond).toFixed(2).padStart(8)} x ` +
      `${(report.cases.p50 / report.baseline.p50).toFixed(2).padStart(8)} x  ${(report.cases.p95 / report.baseline.p95).toFixed(2).padStart(8)} x` +
      `   (cases / baseline; throughput below 1 and latency above 1 are the engine's own cost)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SeededRegisters } from './adapters/registers.js';
import { ConfigError, loadConfig } from './config.js';
import { startDemoCaseWorker } from './demo/case-worker-bot.js';
import { isAsExpected, runBatch } from './demo/run-batch.js';
import { sampleApplications, sampleRegisterSeed } from './demo/sample-applications.js';
import { percentile } from './demo/stats.js';
import { startEngine } from './engine.js';
import { StartupError } from './infra/startup-error.js';
import { anwohnerparken } from './services/anwohnerparken.js';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '60' },
    'exit-after-batch': { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  const count = Number(args.cases);
  if (!Number.isInteger(count) || count < 0) throw new ConfigError(`--cases must be a whole number, got "${args.cases}"`);
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const say = (m: string) => console.log(`» ${m}`);

  const engine = await startEngine(config, { registers: new SeededRegisters(sampleRegisterSeed()), progress: say });
  const bot = startDemoCaseWorker({ tasks: engine.tasks, authorityId: 'stadt-musterstadt' });
  const tokens = engine.tokens;
  if (count > 0 && !tokens) throw new ConfigError('the demo signs applicant tokens with the local key: unset AUTH_JWKS_URL');
  let ok = true;
  try {
    if (count > 0) {
      say(`submitting ${count} sample applications for "${anwohnerparken.name}"`);
      const started = performance.now();
      const step = Math.max(1, Math.ceil(count / 10));
      const results = await runBatch({
        httpUrl: engine.httpUrl,
        cases: engine.cases,
        token: (subject) => tokens!.sign({ role: 'applicant', subject }),
        applications: sampleApplications(count, Date.now() % 100_000),
        onClosed: (done, total) => (done % step === 0 || done === total) && say(`${done}/${total} cases closed`),
      });
      const seconds = (performance.now() - started) / 1000;
      ok = results.every(isAsExpected);
      printSummary(results, seconds, engine.temporal.uiUrl, config.temporalNamespace);
    }
  } finally {
    await bot.stop();
  }

  if (args['exit-after-batch']) {
    await engine.stop();
    return ok ? 0 : 1;
  }
  console.log(`\nThe engine keeps serving: HTTP API ${engine.httpUrl}${engine.temporal.uiUrl ? `, Temporal Web UI ${engine.temporal.uiUrl}` : ''}. Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('stopping');
  await engine.stop();
  return 0;
}

function printSummary(results: Awaited<ReturnType<typeof runBatch>>, seconds: number, uiUrl: string | undefined, namespace: string) {
  const byOutcome = new Map<string, number>();
  for (const r of results) byOutcome.set(r.outcome ?? 'failed', (byOutcome.get(r.outcome ?? 'failed') ?? 0) + 1);
  const latencies = results.map((r) => r.latencyMs);
  const unexpected = results.filter((r) => !isAsExpected(r));
  console.log('\n── Summary ─────────────────────────────────────────');
  console.log(`cases:        ${results.length} in ${seconds.toFixed(1)} s (${(results.length / seconds).toFixed(1)} cases/s)`);
  for (const [outcome, n] of [...byOutcome].sort()) console.log(`  ${outcome.padEnd(12)}${String(n).padStart(5)}`);
  console.log(`latency:      p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms (submit to archived)`);
  console.log(`as expected:  ${results.length - unexpected.length}/${results.length}`);
  for (const u of unexpected.slice(0, 5)) console.log(`  ✗ case ${u.caseId} (${u.kind}): ${u.error ?? u.outcome}`);
  if (uiUrl) {
    const query = encodeURIComponent(`ServiceKey="${anwohnerparken.key}"`);
    console.log(`Temporal UI:  ${uiUrl}/namespaces/${namespace}/workflows?query=${query}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StartupError) console.error(`\n✗ ${err.message}\n  ${err.hint}`);
    else if (err instanceof ConfigError) console.error(`\n✗ ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);

import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { createLogger, logDestination, temporalLogger } from '../../platform/logger.js';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { startDemoCaseWorker } from './case-worker-bot.js';
import { printClosingDocuments } from './closing-documents.js';
import { isAsExpected, runBatch } from './run-batch.js';
import { sampleRegisterData } from './sample-applications.js';
import { demoApplications } from './sample-mix.js';
import { percentile } from './stats.js';
import { listRetrievalsOfCase } from '../../db/queries/evidence-retrievals.js';
import { startEngine } from '../engine.js';
import { StartupError } from '../../platform/startup-error.js';
import { listServices } from '../../services/catalogue.js';
import { sdkTelemetry } from '../../platform/metrics.js';
import type { LocalIdentityProvider } from '../identity/local-identity-provider.js';
import { caseForWorkbench } from './workbench-case.js';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '60' },
    'exit-after-batch': { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
});

class Interrupted extends Error {
  constructor(readonly code: number) {
    super('interrupted');
  }
}

async function main(): Promise<number> {
  const count = Number(args.cases);
  // The batch's mix and the register sandbox's faults follow this seed; --seed repeats a run.
  const seed = args.seed === undefined ? Date.now() % 100_000 : Number(args.seed);
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed must be a whole number, got "${args.seed}"`);
  if (!Number.isInteger(count) || count < 0)
    throw new ConfigError(`--cases must be a whole number, got "${args.cases}"`);
  const config = loadConfig(process.env, {
    // The demo serves metrics by default; separate processes only when METRICS_PORT says where.
    METRICS_PORT: '9464',
    // The demo's whole batch comes from this one address: let it through the public rate limit (unless set).
    RATE_LIMIT_PUBLIC_MAX: String(Math.max(loadConfig({}).rateLimit.publicMax, count + 10)),
  });
  // JSON logs of worker and API go to a file, so the console keeps the demo's progress; retried register calls are counted in the summary.
  const logFile = config.logFile ?? join(config.dataDir, 'logs', 'engine.log');
  const logger = createLogger({ level: config.logLevel, destination: logDestination(logFile) });
  const telemetry = sdkTelemetry(config.metricsPort);
  Runtime.install({
    logger: temporalLogger(logger),
    ...(telemetry.options && { telemetryOptions: telemetry.options }),
  });
  const say = (m: string) => console.log(`» ${m}`);
  say(`logs (JSON, personal fields redacted) in ${logFile}`);

  say(`seed ${seed} (--seed ${seed} repeats this batch)`);
  const engine = await startEngine(config, {
    registerData: sampleRegisterData(),
    progress: say,
    sdkMetricsUrl: telemetry.url,
    seed,
    logger,
  });
  // Ctrl-C at any point stops the engine in order, so no dev server or database is left running.
  const stopped = new Promise<number>((resolve) => {
    process.once('SIGINT', () => resolve(130));
    process.once('SIGTERM', () => resolve(143));
  });
  const interruptible = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([p, stopped.then((code) => Promise.reject(new Interrupted(code)))]);
  const batchCases = new Set<string>();
  const bot = startDemoCaseWorker({ tasks: engine.tasks, authorityId: 'stadt-musterstadt', onlyCases: batchCases });
  let ok = true;
  try {
    if (count > 0) {
      say(
        `submitting ${count} sample applications for ${listServices()
          .map((s) => `"${s.name}"`)
          .join(', ')}`,
      );
      const started = performance.now();
      const step = Math.max(1, Math.ceil(count / 10));
      const results = await interruptible(
        runBatch({
          httpUrl: engine.httpUrl,
          cases: engine.cases,
          applications: demoApplications(count, seed),
          tokenFor: tokensFrom(engine.localIdp),
          onStarted: (caseId) => batchCases.add(caseId),
          // Every fifth application arrives over FIT-Connect: sent by an online service through the delivery service.
          fitConnect: engine.fitConnect && {
            sender: engine.fitConnect.sender,
            destinationId: engine.fitConnect.destinationId,
            eid: engine.fitConnect.eid,
            picks: (i) => i % 5 === 4,
          },
          onClosed: (done, total) => (done % step === 0 || done === total) && say(`${done}/${total} cases closed`),
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      ok = results.every(isAsExpected);
      const retrievals = (
        await Promise.all(
          results.map((r) => (r.caseId === '-' ? [] : listRetrievalsOfCase(engine.db, { caseId: r.caseId }))),
        )
      ).flat();
      printSummary(results, seconds, engine.temporal.uiUrl, config.temporalNamespace);
      const viaFit = results.filter((r) => r.channel === 'fit-connect');
      if (engine.fitConnect && viaFit.length > 0)
        console.log(
          `FIT-Connect:  ${viaFit.length} sent through the stand-in, ${viaFit.filter((r) => r.caseId !== '-').length} accepted (case started), ${viaFit.filter((r) => r.refusedAtIntake).length} rejected; event log (SETs, decoded): ${engine.fitConnect.sandbox.url}/event-log`,
        );
      console.log(
        `registers:    ${retrievals.length} calls, ${retrievals.filter((r) => r.result === 'error').length} failed and retried (GET /cases/<id>/evidence-retrievals)`,
      );
      await printClosingDocuments({
        cases: engine.cases,
        caseId: results.find((r) => r.outcome === 'approved')?.caseId,
        dataDir: config.dataDir,
        postboxUrl: engine.postboxUrl,
      });
    }
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    say('interrupted: stopping');
    await bot.stop();
    await engine.stop();
    return err.code;
  } finally {
    await bot.stop();
  }

  if (args['exit-after-batch']) {
    await engine.stop();
    return ok ? 0 : 1;
  }
  const waiting = await caseForWorkbench(engine.cases, Date.now() % 100_000);
  console.log(
    `\nWorkbench for case workers: ${engine.httpUrl}/workbench (case ${waiting} of Gemeinde Beispieldorf waits there: log in as Dora Dietz)`,
  );
  console.log(
    '\nMore API or worker processes join this demo as separate processes (each on its own HTTP_PORT / WORKER_HEALTH_PORT):',
  );
  console.log(
    `  ${Object.entries(engine.processEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')} npm run worker`,
  );
  console.log(
    `\nThe engine keeps serving: HTTP API ${engine.httpUrl}${engine.temporal.uiUrl ? `, Temporal Web UI ${engine.temporal.uiUrl}` : ''}. Ctrl-C stops it.`,
  );
  await stopped;
  say('stopping');
  await engine.stop();
  return 0;
}

/** Each sample applicant logs in at the local identity provider's token endpoint, as a portal would after eID login. */
function tokensFrom(idp: LocalIdentityProvider | undefined) {
  if (!idp)
    throw new ConfigError(
      'The demo batch needs the local identity provider: unset OIDC_ISSUER, or run with --cases 0.',
    );
  return async (identity: { subject: string; trustLevel: string }) => {
    const res = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(identity),
    });
    return ((await res.json()) as { id_token: string }).id_token;
  };
}

function printSummary(
  results: Awaited<ReturnType<typeof runBatch>>,
  seconds: number,
  uiUrl: string | undefined,
  namespace: string,
) {
  const byOutcome = new Map<string, number>();
  for (const r of results) byOutcome.set(r.outcome ?? 'failed', (byOutcome.get(r.outcome ?? 'failed') ?? 0) + 1);
  const latencies = results.map((r) => r.latencyMs);
  const unexpected = results.filter((r) => !isAsExpected(r));
  console.log('\n── Summary ─────────────────────────────────────────');
  console.log(
    `cases:        ${results.length} in ${seconds.toFixed(1)} s (${(results.length / seconds).toFixed(1)} cases/s)`,
  );
  for (const [outcome, n] of [...byOutcome].sort()) console.log(`  ${outcome.padEnd(12)}${String(n).padStart(5)}`);
  const atIntake = results.filter((r) => r.refusedAtIntake).length;
  if (atIntake > 0) console.log(`  (${atIntake} refused at intake: no case started)`);
  const byService = listServices().map(
    (s) => `${s.name.replace(/ \(Beispiel\)$/, '')} ${results.filter((r) => r.serviceKey === s.key).length}`,
  );
  console.log(`services:     ${byService.join(', ')}`);
  console.log(
    `latency:      p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms (submit to archived)`,
  );
  console.log(`as expected:  ${results.length - unexpected.length}/${results.length}`);
  for (const u of unexpected.slice(0, 5)) console.log(`  ✗ case ${u.caseId} (${u.kind}): ${u.error ?? u.outcome}`);
  if (uiUrl) {
    const query = encodeURIComponent(
      `ServiceKey IN (${listServices()
        .map((s) => `"${s.key}"`)
        .join(', ')})`,
    );
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

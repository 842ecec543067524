import { existsSync } from 'node:fs';
import { Runtime, type Worker } from '@temporalio/worker';
import type { Config } from '../platform/config.js';
import { configuredSealKeyStore } from '../adapters/seal-keys.js';
import { connectDatabase } from '../db/client.js';
import { assertDatabaseReachable, rideOutPostgresRestarts } from '../platform/database.js';
import { configuredActivityDeps } from './adapters.js';
import { createCaseWorker, type CaseWorkerOptions } from './case-worker.js';
import { Client } from '@temporalio/client';
import type { ActivityDeps } from '../activities/index.js';
import type { Registers } from '../adapters/registers.js';
import { ensureRetentionSchedule } from '../client/retention-schedule.js';
import type { Logger } from '../platform/logger.js';
import { applyExtensions, loadPlugins, stepActivities, type Plugins } from './extensions.js';
import { databaseProbe, startHealthServer, type Probe } from './health.js';
import { assertStartable } from './production-profile.js';
import { connectClient, connectNative, temporalConnectionOptions } from './temporal-connection.js';
import { EngineMetrics, sdkTelemetry, startMetricsServer } from '../platform/metrics.js';
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { payloadKeyRing } from '../platform/codec/keys.js';
import { databaseAuthorities } from '../platform/codec/authority-keys.js';
import { useAkteDataKeys } from '../db/akte-sealing.js';
import { createLogger, logDestination, temporalLogger } from '../platform/logger.js';
import { HttpTimestampAuthority } from '../adapters/timestamp.js';
import { startTracing } from '../platform/tracing.js';

export interface RunningWorker {
  worker: Worker;
  /** The adapters its activities use. */
  deps: ActivityDeps;
  healthUrl: string;
  /** Resolves when the worker has stopped (after `stop()` or a fatal error). */
  done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish (up to SHUTDOWN_GRACE_MS), then closes the connections. */
  stop(): Promise<void>;
}

/** The schedules the engine runs by: created by every worker, left as they are where they exist. */
async function ensureSchedules(config: Config): Promise<void> {
  const connection = await connectClient(temporalConnectionOptions(config));
  try {
    await ensureRetentionSchedule(new Client({ connection, namespace: config.temporalNamespace }), config.taskQueue);
  } finally {
    await connection.close();
  }
}

function readableBundle(path: string): string {
  if (!existsSync(path))
    throw new Error(`WORKFLOW_BUNDLE: no file at ${path} (npm run build writes dist/workflow-bundle.js)`);
  return path;
}

/**
 * What the development stack or a test passes in besides its configuration; production passes nothing. Everything
 * else comes from the configuration, so `npm run worker` and the demo cannot differ in settings or schedules.
 */
export interface WorkerOverrides {
  /** Registers answered by stand-ins or seeded records besides the configured gateway. */
  registers?: Registers;
  /** Extension modules and service folders loaded already (once per process), with adapters passed at composition. */
  plugins?: Plugins;
  /** The caller installed the Temporal runtime (its logger and telemetry) already: one per process. */
  runtimeInstalled?: boolean;
  logger?: Logger;
  /** One process's metrics, shared with an in-process API that serves them. */
  metrics?: EngineMetrics;
  /** Fault injection of the chaos and kill tests. */
  activityInterceptors?: CaseWorkerOptions['activityInterceptors'];
}

/** A case worker alone, from configuration, with its health server. Any number of these may run. */
export async function startWorker(config: Config, overrides: WorkerOverrides = {}): Promise<RunningWorker> {
  await assertStartable(config, 'worker');
  const stops: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    await assertDatabaseReachable(config.databaseUrl!);
    const database = connectDatabase(config.databaseUrl!);
    stops.push(database.close);
    // The SDK's own metrics come from its runtime, which must be installed before the first native connection.
    const logger =
      overrides.logger ?? createLogger({ level: config.logLevel, destination: logDestination(config.logFile) });
    // A PostgreSQL restart must not end the worker (the driver's write to a closed connection, platform/database.ts).
    rideOutPostgresRestarts((message) => logger.warn(message));
    const metrics = overrides.metrics ?? new EngineMetrics();
    if (!overrides.runtimeInstalled) {
      const telemetry = sdkTelemetry(config.metricsPort);
      Runtime.install({
        logger: temporalLogger(logger),
        ...(telemetry.options && { telemetryOptions: telemetry.options }),
      });
      metrics.sdkMetricsUrl = telemetry.url;
    }
    const tracing = config.otlpEndpoint
      ? startTracing({ endpoint: config.otlpEndpoint, serviceName: 'ozg-case-engine-worker' })
      : undefined;
    if (tracing) stops.push(tracing.shutdown);
    const connection = await connectNative(temporalConnectionOptions(config));
    stops.push(() => connection.close());
    // PAdES B-T where a timestamp authority is configured, else B-B.
    const sealKeys = configuredSealKeyStore(
      config,
      config.tsaUrl && config.tsaUrl !== 'off' ? new HttpTimestampAuthority(config.tsaUrl) : undefined,
    )!;
    // Teams' services (SERVICE_DIRS) and adapters (EXTENSIONS); a broken service folder stops the worker here.
    const plugins = overrides.plugins ?? (await loadPlugins(config));
    const deps = applyExtensions(
      configuredActivityDeps(config, database.db, sealKeys, metrics, overrides.registers),
      plugins.extensions,
    );
    // A prebuilt bundle saves the start-up's webpack run and its memory; tracing's workflow interceptors need their own.
    if (config.workflowBundle && tracing)
      logger.warn(
        'WORKFLOW_BUNDLE is not used with tracing on: the worker bundles its workflows with the interceptors',
      );
    const prebuilt = config.workflowBundle && !tracing ? readableBundle(config.workflowBundle) : undefined;
    // Per-authority data keys: Temporal payloads and the Akte's personal data at rest (db/akte-sealing.ts).
    const authorities = databaseAuthorities(payloadKeyRing(config), () => database.db);
    useAkteDataKeys(authorities.keys);
    const worker = await createCaseWorker({
      connection,
      namespace: config.temporalNamespace,
      // Lenient on purpose: a payload the worker refused to decode would fail the case's workflow task, so any client
      // could stall a case; a forged action is refused by the update validator's signed-assertion check instead.
      dataConverter: engineDataConverter(payloadKeyRing(config), {
        authorities,
      }),
      taskQueue: config.taskQueue,
      deps,
      extraActivities: stepActivities(deps, plugins.extensions),
      tuning: config.worker,
      shutdownGraceMs: config.shutdownGraceMs,
      metrics,
      activityInterceptors: overrides.activityInterceptors,
      plugins: tracing && [tracing.workerPlugin],
      actorKeys: config.actorAssertion.verifyKeys,
      ...(prebuilt && { workflowBundle: { codePath: prebuilt } }),
    });
    await ensureSchedules(config);
    if (config.metricsPort !== undefined && !overrides.metrics)
      stops.push(
        (await startMetricsServer(metrics, { host: config.workerHealth.host, port: config.metricsPort })).stop,
      );
    const pg = databaseProbe(config.databaseUrl!);
    stops.push(pg.close);
    const running: Probe = async () => {
      if (worker.getState() !== 'RUNNING') throw new Error(worker.getState());
    };
    const health = await startHealthServer({
      ...config.workerHealth,
      probes: { worker: running, postgres: pg.probe },
      extra: () => ({ state: worker.getState() }),
    });
    stops.push(health.stop);
    const done = worker.run().finally(closeAll);
    return {
      worker,
      deps,
      healthUrl: health.url,
      done,
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

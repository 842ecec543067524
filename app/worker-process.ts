import { existsSync } from 'node:fs';
import { Runtime, type Worker } from '@temporalio/worker';
import type { Config } from '../platform/config.js';
import { configuredSealKeyStore } from '../adapters/seal-keys.js';
import { connectDatabase } from '../db/client.js';
import { assertDatabaseReachable } from '../platform/database.js';
import { configuredActivityDeps } from './adapters.js';
import { createCaseWorker } from './case-worker.js';
import { applyExtensions, loadPlugins, stepActivities } from './extensions.js';
import { databaseProbe, startHealthServer, type Probe } from './health.js';
import { assertStartable } from './production-profile.js';
import { connectNative, temporalConnectionOptions } from './temporal-connection.js';
import { EngineMetrics, sdkTelemetry, startMetricsServer } from '../platform/metrics.js';
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { payloadKeyRing } from '../platform/codec/keys.js';
import { createLogger, logDestination, temporalLogger } from '../platform/logger.js';
import { HttpTimestampAuthority } from '../adapters/timestamp.js';
import { startTracing } from '../platform/tracing.js';

export interface RunningWorker {
  worker: Worker;
  healthUrl: string;
  /** Resolves when the worker has stopped (after `stop()` or a fatal error). */
  done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish (up to SHUTDOWN_GRACE_MS), then closes the connections. */
  stop(): Promise<void>;
}

function readableBundle(path: string): string {
  if (!existsSync(path))
    throw new Error(`WORKFLOW_BUNDLE: no file at ${path} (npm run build writes dist/workflow-bundle.js)`);
  return path;
}

/** A case worker alone, from configuration, with its health server. Any number of these may run. */
export async function startWorker(config: Config): Promise<RunningWorker> {
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
    const telemetry = sdkTelemetry(config.metricsPort);
    const logger = createLogger({ level: config.logLevel, destination: logDestination(config.logFile) });
    Runtime.install({
      logger: temporalLogger(logger),
      ...(telemetry.options && { telemetryOptions: telemetry.options }),
    });
    const metrics = new EngineMetrics();
    metrics.sdkMetricsUrl = telemetry.url;
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
    const plugins = await loadPlugins(config);
    const deps = applyExtensions(configuredActivityDeps(config, database.db, sealKeys, metrics), plugins.extensions);
    // A prebuilt bundle saves the start-up's webpack run and its memory; tracing's workflow interceptors need their own.
    if (config.workflowBundle && tracing)
      logger.warn(
        'WORKFLOW_BUNDLE is not used with tracing on: the worker bundles its workflows with the interceptors',
      );
    const prebuilt = config.workflowBundle && !tracing ? readableBundle(config.workflowBundle) : undefined;
    const worker = await createCaseWorker({
      connection,
      namespace: config.temporalNamespace,
      dataConverter: engineDataConverter(payloadKeyRing(config)),
      taskQueue: config.taskQueue,
      deps,
      extraActivities: stepActivities(deps, plugins.extensions),
      tuning: config.worker,
      shutdownGraceMs: config.shutdownGraceMs,
      metrics,
      plugins: tracing && [tracing.workerPlugin],
      ...(prebuilt && { workflowBundle: { codePath: prebuilt } }),
    });
    if (config.metricsPort !== undefined)
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

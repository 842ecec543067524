import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions, type WorkerPlugin } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { WorkerTuning } from '../platform/config.js';
import { TASK_QUEUE } from '../workflows/contracts/ids.js';
import type { EngineMetrics } from '../platform/metrics.js';
import { workflowsPath } from './workflow-bundle.js';

export { workflowsPath };

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  /** The engine's data converter (payload encryption); see `platform/codec/`. */
  dataConverter: DataConverter;
  taskQueue?: string;
  /** A prebuilt bundle (tests share one); without it the worker bundles `workflows/` itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Concurrency and sticky cache; unset means the SDK's defaults. */
  tuning?: WorkerTuning;
  /** How long shutdown waits for running activities before cancelling them. */
  shutdownGraceMs?: number;
  /** Times and counts every activity execution for the process's metrics endpoint. */
  metrics?: EngineMetrics;
  /** Further activity interceptors (the chaos and test workers' fault injection lives outside this package's code). */
  activityInterceptors?: NonNullable<NonNullable<WorkerOptions['interceptors']>['activity']>;
  /** E.g. OpenTelemetry tracing (platform/tracing.ts); needs the worker to bundle its workflows itself. */
  plugins?: WorkerPlugin[];
}

export function createCaseWorker(o: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    dataConverter: o.dataConverter,
    taskQueue: o.taskQueue ?? TASK_QUEUE,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath }),
    activities: { ...createActivities(o.deps), ...o.extraActivities },
    ...(o.tuning && {
      maxConcurrentActivityTaskExecutions: o.tuning.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: o.tuning.maxConcurrentWorkflowTasks,
      maxCachedWorkflows: o.tuning.maxCachedWorkflows,
    }),
    ...(o.shutdownGraceMs !== undefined && { shutdownGraceTime: o.shutdownGraceMs }),
    ...((o.metrics || o.activityInterceptors) && {
      interceptors: {
        activity: [...(o.metrics ? [o.metrics.activityInterceptor()] : []), ...(o.activityInterceptors ?? [])],
      },
    }),
    ...(o.plugins && { plugins: o.plugins }),
  });
}

import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions, type WorkerPlugin } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { WorkerTuning } from '../platform/config.js';
import { TASK_QUEUE } from '../workflows/contracts/ids.js';
import type { EngineMetrics } from '../platform/metrics.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { actorKeysPrelude, actorPublicKey } from '../workflows/contracts/actor-assertion.js';
import { DEV_ACTOR_SIGNING_KEY } from '../platform/config.js';
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
  /** Ed25519 public keys (hex) whose signed assertions of who acts the workflows accept; unset: the demo's key. */
  actorKeys?: string[];
}

// webpack as the SDK's bundler has it (a dependency of @temporalio/worker, not of the engine).
type WebpackConfig = ReturnType<NonNullable<NonNullable<WorkerOptions['bundlerOptions']>['webpackConfigHook']>>;
type WebpackPlugin = NonNullable<WebpackConfig['plugins']>[number];
const webpack = (): { BannerPlugin: new (o: { banner: string; raw: boolean; entryOnly: boolean }) => WebpackPlugin } =>
  createRequire(createRequire(import.meta.url).resolve('@temporalio/worker'))('webpack');

/**
 * The sandbox's `Error.stackTraceLimit` (its own `Error`, so the worker's main thread keeps Node's default). The SDK
 * (1.24) takes a stack trace, each frame mapped through the bundle's source map, for every promise a workflow creates
 * (for the `__stack_trace` query); its cost grows with the frames. Unset: the SDK's default.
 */
const stackTraceLimitPrelude = (limit: number | undefined): string =>
  limit === undefined ? '' : `Error.stackTraceLimit=${limit};`;

/**
 * The workflows with the trusted actor keys in front: the sandbox has no configuration of its own, and a key the
 * bundle carries cannot be changed by a client that reaches Temporal.
 */
function withActorKeys(
  o: CaseWorkerOptions,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  const prelude =
    stackTraceLimitPrelude(o.tuning?.stackTraceLimit) +
    actorKeysPrelude(o.actorKeys ?? [actorPublicKey(DEV_ACTOR_SIGNING_KEY)]);
  const bundle = o.workflowBundle;
  // On the bundle's first line: a line in front would shift every line its source map maps (stack traces).
  const inFront = prelude.trimEnd();
  if (bundle && 'code' in bundle) return { workflowBundle: { code: inFront + bundle.code } };
  if (bundle) return { workflowBundle: { code: inFront + readFileSync(bundle.codePath, 'utf8') } };
  return {
    workflowsPath,
    bundlerOptions: {
      webpackConfigHook: (config) => ({
        ...config,
        plugins: [
          ...(config.plugins ?? []),
          new (webpack().BannerPlugin)({ banner: prelude, raw: true, entryOnly: true }),
        ],
      }),
    },
  };
}

export function createCaseWorker(o: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    dataConverter: o.dataConverter,
    taskQueue: o.taskQueue ?? TASK_QUEUE,
    ...withActorKeys(o),
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

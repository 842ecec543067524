import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import type { Registers } from '../adapters/registers.js';
import { DemoSealKeyStore } from '../dev/demo-seal-keys.js';
import { CaseClient, caseWorkflowStart, type SubmitApplication } from '../client/case-client.js';
import { findService, ruleSetVersionOn } from '../services/catalogue.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import type { FastifyInstance } from 'fastify';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { buildHttpApi, type HttpApiDeps } from '../http/http-api.js';
import { intakeNotUnderTest, tokenAudience, tokens } from './http-helpers.js';
import { TaskClient } from '../client/task-client.js';
import { connectDatabase } from '../db/client.js';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import {
  startRegisterSandbox,
  type RegisterSandboxOptions,
  type StartedRegisterSandbox,
} from '../dev/stand-ins/registers/server.js';
import { activityDeps, engineRegisters } from '../dev/engine.js';
import { startPostboxSandbox } from '../dev/stand-ins/postbox/server.js';
import { HttpPaymentProvider } from '../adapters/payments-http.js';
import { startPaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { createCaseWorker, type CaseWorkerOptions } from '../app/case-worker.js';
import { applyExtensions, stepActivities } from '../app/extensions.js';
import type { EngineExtensions } from '../adapters/extensions.js';
import type { ActivityDeps } from '../activities/index.js';
import { waitFor } from './support/wait.js';
import { testAuthorities, testDataConverter } from './support/codec.js';
import { useAkteDataKeys } from '../db/akte-sealing.js';
import { testLogger } from './support/log-capture.js';
import { temporalLogger } from '../platform/logger.js';

// The SDK's own Prometheus exporter on a free port, so a test can scrape what an operator would.
const sdkMetricsPort = await new Promise<number>((res) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => res(port));
  });
});
Runtime.install({
  logger: temporalLogger(testLogger),
  telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}` } } },
});
export const sdkMetricsUrl = `http://127.0.0.1:${sdkMetricsPort}/metrics`;

const database = connectDatabase(inject('databaseUrl'), { max: 4 });
const connection = await Connection.connect({ address: inject('temporalAddress') });
const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
// Pays every fee at once and sends no webhooks: cases that aren't about payment move on at their first status check.
const paymentSandbox = await startPaymentSandbox({
  port: 0,
  webhookSecret: 'whsec_dGVzdA==',
  outcome: 'paid',
  delayMs: 0,
  webhooks: false,
});
const postbox = await startPostboxSandbox({ host: '127.0.0.1', port: 0 });
const sandboxes: StartedRegisterSandbox[] = [];
afterAll(async () => {
  for (const s of sandboxes) await s.stop();
  await postbox.stop();
  await paymentSandbox.close();
  await nativeConnection.close();
  await connection.close();
  await database.close();
});

export const db = database.db;
// The Akte's personal data is sealed with the authority's data key, as the engine's processes do.
useAkteDataKeys(testAuthorities.keys);
export const client = new Client({ connection, dataConverter: testDataConverter });
export const dataDir = inject('dataDir');
export const postboxUrl = postbox.url;
/** Seal QR codes in tests point here; tests that check the address start the HTTP API themselves. */
export const publicBaseUrl = 'http://verify.test';
export const sealKeys = new DemoSealKeyStore(join(dataDir, 'seal'));

/** A register sandbox on a free port with the demo's records, stopped after the file's tests; faults as the test asks. */
export async function startRegisters(
  o: Omit<RegisterSandboxOptions, 'data'> = {},
): Promise<{ sandbox: StartedRegisterSandbox; registers: Registers }> {
  const sandbox = await startRegisterSandbox({ data: sampleRegisterData(), port: 0, ...o });
  sandboxes.push(sandbox);
  return { sandbox, registers: engineRegisters(sandbox.url, 2_000) };
}

const healthy = await startRegisters();

export function testDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  const payments = { provider: new HttpPaymentProvider(paymentSandbox.url), portalUrl: 'http://portal.invalid' };
  return {
    ...activityDeps(dataDir, db, engineRegisters(healthy.sandbox.url, 2_000), {
      publicBaseUrl,
      postboxUrl,
      sealKeys,
      payments,
    }),
    ...overrides,
  };
}

/** The HTTP API over a test's worker, for `inject`. */
export const httpApiFor = (e: TestEngine, uploadMaxBytes = 1024 * 1024) =>
  testApi(e.cases, { evidence: { db, documents: e.deps.documents, uploadMaxBytes } });

/** The whole HTTP API over a test's client: bearer tokens from the tests' own key, intake identity as the test says. */
export function testApi(cases: CaseClient, o: Partial<Omit<HttpApiDeps, 'cases'>> = {}): Promise<FastifyInstance> {
  return buildHttpApi({
    tasks: new TaskClient(client, db),
    auth: jwtVerifier(tokens.keys, tokenAudience),
    identity: intakeNotUnderTest,
    ...o,
    cases,
  });
}

/** A case worker claims the case's open task and completes it, through the same updates the HTTP API uses. */
export async function completeOpenTask(
  e: TestEngine,
  caseId: string,
  d: { caseWorker: string; outcome: 'approve' | 'reject'; justification: string },
) {
  const { openTaskId, authorityId } = await e.cases.status(caseId);
  // The task takes actions once its inbox row exists: the case shows its waiting status a step before that.
  await waitFor(async () => e.tasks.find(openTaskId!), { timeoutMs: 30_000, what: `task ${openTaskId}` });
  const actor = { id: d.caseWorker, role: 'case_worker' as const, authorityId };
  await e.tasks.act(caseId, { action: 'claim', taskId: openTaskId!, actor });
  await e.tasks.act(caseId, {
    action: 'complete',
    taskId: openTaskId!,
    actor,
    outcome: d.outcome,
    justification: d.justification,
  });
}

export { intakeNotUnderTest } from './http-helpers.js';

export interface TestEngine {
  cases: CaseClient;
  taskQueue: string;
  tasks: TaskClient;
  deps: ActivityDeps;
  worker: Worker;
}

/**
 * A fresh worker on its own task queue for one test, with the shared bundle; it runs while `fn` runs.
 * Tests never share a queue, so one test's worker never picks up another's cases.
 */
export async function withWorker<T>(
  fn: (e: TestEngine) => Promise<T>,
  overrides: Partial<ActivityDeps> = {},
  taskQueue = `test-${randomUUID()}`,
  extensions: EngineExtensions = {},
): Promise<T> {
  const deps = applyExtensions(testDeps(overrides), extensions);
  const worker = await workerOn(taskQueue, deps, { extraActivities: stepActivities(deps, extensions) });
  return worker.runUntil(
    fn({ cases: new CaseClient(client, db, taskQueue), tasks: new TaskClient(client, db), taskQueue, deps, worker }),
  );
}

/** A worker on a given queue, for tests that stop one worker and let another take over. */
export function workerOn(
  taskQueue: string,
  deps: ActivityDeps,
  o: Pick<CaseWorkerOptions, 'metrics' | 'extraActivities' | 'actorKeys' | 'tuning'> &
    Partial<Pick<CaseWorkerOptions, 'dataConverter'>> = {},
): Promise<Worker> {
  return createCaseWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps,
    dataConverter: testDataConverter,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...o,
  });
}

/** A register that counts its calls, to prove which lookups happened. */
export class CountingRegisters implements Registers {
  calls: string[] = [];
  constructor(private readonly inner: Registers) {}
  async lookup(q: Parameters<Registers['lookup']>[0]) {
    this.calls.push(q.register);
    return this.inner.lookup(q);
  }
}

/**
 * Starts a case workflow without the client's intake checks, to prove the workflow's own re-checks
 * (schema, trust level) on input that intake would have refused.
 */
export async function startBypassingIntake(taskQueue: string, a: SubmitApplication): Promise<string> {
  const service = findService(a.serviceKey);
  const caseId = randomUUID();
  const submittedAt = new Date().toISOString();
  const ruleSetVersion = ruleSetVersionOn(service, submittedAt.slice(0, 10));
  await client.workflow.start<typeof caseWorkflow>(
    'caseWorkflow',
    caseWorkflowStart(taskQueue, {
      a,
      caseId,
      schemaVersion: service.currentSchemaVersion,
      ruleSetVersion,
      submittedAt,
      submissionSha256: 'bypassed-intake',
    }),
  );
  return caseId;
}

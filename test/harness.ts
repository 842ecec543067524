import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import { allRegistersAt, HttpRegisters, type Registers } from '../adapters/registers.js';
import { CaseClient } from '../client/case-client.js';
import { buildHttpApi } from '../client/http-api.js';
import { connectDatabase } from '../db/client.js';
import { sampleRegisterData } from '../demo/sample-applications.js';
import { startRegisterSandbox, type RegisterSandboxOptions, type StartedRegisterSandbox } from '../sandbox/registers/server.js';
import { activityDeps } from '../engine.js';
import { createCaseWorker } from '../worker.js';
import type { ActivityDeps } from '../activities/index.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const database = connectDatabase(inject('databaseUrl'), { max: 4 });
const connection = await Connection.connect({ address: inject('temporalAddress') });
const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
const sandboxes: StartedRegisterSandbox[] = [];
afterAll(async () => {
  for (const s of sandboxes) await s.stop();
  await nativeConnection.close();
  await connection.close();
  await database.close();
});

export const db = database.db;
export const client = new Client({ connection });
export const dataDir = inject('dataDir');

/** A register sandbox on a free port with the demo's records, stopped after the file's tests; faults as the test asks. */
export async function startRegisters(o: Omit<RegisterSandboxOptions, 'data'> = {}): Promise<{ sandbox: StartedRegisterSandbox; registers: Registers }> {
  const sandbox = await startRegisterSandbox({ data: sampleRegisterData(), port: 0, ...o });
  sandboxes.push(sandbox);
  return { sandbox, registers: new HttpRegisters({ endpoints: allRegistersAt(sandbox.url), timeoutMs: 2_000 }) };
}

const healthy = await startRegisters();

export function testDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  return { ...activityDeps(dataDir, db, healthy.registers), ...overrides };
}

/** The HTTP API over a test's worker, for `inject`. */
export const httpApiFor = (e: TestEngine, uploadMaxBytes = 1024 * 1024) => buildHttpApi(e.cases, { db, documents: e.deps.documents, uploadMaxBytes });

export interface TestEngine {
  cases: CaseClient;
  deps: ActivityDeps;
  worker: Worker;
}

/**
 * A fresh worker on its own task queue for one test, with the shared bundle; it runs while `fn` runs.
 * Tests never share a queue, so one test's worker never picks up another's cases.
 */
export async function withWorker<T>(fn: (e: TestEngine) => Promise<T>, overrides: Partial<ActivityDeps> = {}): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const deps = testDeps(overrides);
  const worker = await createCaseWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return worker.runUntil(fn({ cases: new CaseClient(client, taskQueue), deps, worker }));
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

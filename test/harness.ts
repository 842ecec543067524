import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import { SeededRegisters, type Registers } from '../adapters/registers.js';
import { CaseClient } from '../client/case-client.js';
import { TaskClient } from '../client/task-client.js';
import { connectDatabase } from '../db/client.js';
import { sampleRegisterSeed } from '../demo/sample-applications.js';
import { activityDeps } from '../engine.js';
import { createCaseWorker } from '../worker.js';
import type { ActivityDeps } from '../activities/index.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const database = connectDatabase(inject('databaseUrl'), { max: 4 });
const connection = await Connection.connect({ address: inject('temporalAddress') });
const nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
afterAll(async () => {
  await nativeConnection.close();
  await connection.close();
  await database.close();
});

export const db = database.db;
export const client = new Client({ connection });
export const dataDir = inject('dataDir');

export function testDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  return { ...activityDeps(dataDir, db, new SeededRegisters(sampleRegisterSeed())), ...overrides };
}

export interface TestEngine {
  cases: CaseClient;
  tasks: TaskClient;
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
  return worker.runUntil(fn({ cases: new CaseClient(client, taskQueue), tasks: new TaskClient(client, db), deps, worker }));
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

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { client, db, startBypassingIntake, testDeps, workerOn } from './harness.js';
import { CaseClient } from '../client/case-client.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { randomUUID } from 'node:crypto';

// The sandbox's frames per stack trace (WORKER_STACK_TRACE_LIMIT): fewer frames, and the `__stack_trace` query still
// names where a waiting case stands in the workflows' own sources (the bundle's source map still maps them).
describe('stack traces in the workflow sandbox', () => {
  it('keeps WORKER_STACK_TRACE_LIMIT frames, mapped to the workflow sources', async () => {
    const limit = 4;
    const taskQueue = `stack-${randomUUID()}`;
    const tuning = {
      maxConcurrentActivities: 100,
      maxConcurrentWorkflowTasks: 40,
      maxCachedWorkflows: 100,
      stackTraceLimit: limit,
    };
    const worker = await workerOn(taskQueue, testDeps(), { tuning });
    await worker.runUntil(async () => {
      const cases = new CaseClient(client, db, taskQueue);
      const caseId = await startBypassingIntake(taskQueue, applicationOf('company_car'));
      await waitFor(async () => (await cases.status(caseId)).openTaskId !== undefined, {
        timeoutMs: 30_000,
        what: 'the case waiting for a case worker',
      });
      const trace = await client.workflow.getHandle(caseWorkflowId(caseId)).query<string>('__stack_trace');
      const stacks = trace.split('\n\n').filter((s) => s.trim() !== '');
      expect(stacks.length).toBeGreaterThan(0);
      for (const stack of stacks)
        expect(stack.split('\n').filter((l) => l.includes(' at ')).length).toBeLessThan(limit);
      // The case waits in `awaitCaseWorker` on a condition: the mapped line is that line of the source.
      const line = Number(/await-case-worker\.ts:(\d+)/.exec(trace)?.[1]);
      expect(readFileSync('workflows/await-case-worker.ts', 'utf8').split('\n')[line - 1]).toContain('condition(');
    });
  });
});

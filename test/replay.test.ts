import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { History } from '@temporalio/worker/lib/runtime.js';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config.js';
import { caseWorkflowId } from '../contracts/ids.js';
import { client, completeOpenTask, startBypassingIntake, withWorker } from './harness.js';
import { applicationOf } from './samples.js';

const fixturesDir = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));
const bundle = { codePath: inject('workflowBundlePath') };

async function replay(workflowBundle: { code: string } | { codePath: string }, histories: Array<{ workflowId: string; history: History }>) {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) results.push(r);
  return results;
}

/** Histories of cases that went down each path: approve, reject, refuse, escalate with a case worker's decision, and evidence uploaded instead of fetched. */
async function freshHistories() {
  return withWorker(async (e) => {
    const { cases, tasks, taskQueue, deps } = e;
    const ids = await Promise.all((['resident', 'other_zone'] as const).map(async (kind) => (await cases.submit(applicationOf(kind))).caseId));
    // Intake refuses a low trust level; the workflow's own re-check is what the history records.
    ids.push(await startBypassingIntake(taskQueue, applicationOf('low_trust')));
    const escalated = (await cases.submit(applicationOf('company_car'))).caseId;
    for (let i = 0; (await cases.status(escalated)).status !== 'awaiting_case_worker'; i++) {
      if (i > 100) throw new Error('case never escalated');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { openTaskId } = await cases.status(escalated);
    const actor = { id: 'sb.replay', role: 'case_worker' as const, authorityId: 'stadt-musterstadt' };
    await tasks.act(escalated, { action: 'claim', taskId: openTaskId!, actor });
    await tasks.act(escalated, { action: 'complete', taskId: openTaskId!, actor, outcome: 'reject', justification: 'Keine private Nutzung.' });
    ids.push(escalated);
    const uploaded = (await cases.submit({ ...applicationOf('resident', 2), consent: { evidenceRetrieval: false } })).caseId;
    for (let i = 0; (await cases.status(uploaded)).status !== 'awaiting_applicant'; i++) {
      if (i > 100) throw new Error('case never asked for evidence');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const evidenceType of ['residence', 'vehicle_registration']) {
      const document = await deps.documents.put(Buffer.from(`%PDF-1.7 ${evidenceType}`), 'application/pdf');
      await cases.uploadEvidence(uploaded, { evidenceType, document, fileName: `${evidenceType}.pdf` });
    }
    for (let i = 0; (await cases.status(uploaded)).status !== 'awaiting_case_worker'; i++) {
      if (i > 100) throw new Error('case never escalated');
      await new Promise((r) => setTimeout(r, 100));
    }
    await completeOpenTask(e, uploaded, { caseWorker: 'sb.replay', outcome: 'approve', justification: 'Unterlagen geprüft.' });
    ids.push(uploaded);
    await Promise.all(ids.map((id) => cases.result(id)));
    return Promise.all(
      ids.map(async (id) => ({ workflowId: caseWorkflowId(id), history: await client.workflow.getHandle(caseWorkflowId(id)).fetchHistory() })),
    );
  });
}

describe('workflow determinism', () => {
  it('replays histories of finished cases, fresh and committed, without a determinism violation', async () => {
    const fresh = await freshHistories();
    if (process.env.RECORD_HISTORIES) {
      // The CLI writes the canonical proto3 JSON that historyFromJSON reads. New files only: committed fixtures are never re-recorded.
      for (const [i, h] of fresh.entries()) {
        const json = execFileSync(loadConfig().temporalCli, ['workflow', 'show', '-w', h.workflowId, '--address', inject('temporalAddress'), '-o', 'json']);
        writeFileSync(`${fixturesDir}case-v2-path-${i + 1}.json`, json);
      }
    }
    const committed = readdirSync(fixturesDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(fixturesDir + f, 'utf8'))) }));
    expect(committed.length).toBeGreaterThanOrEqual(4);

    const results = await replay(bundle, [...fresh, ...committed]);
    expect(results).toHaveLength(fresh.length + committed.length);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
  });

  it('negative control: the same histories fail against a workflow whose steps were reordered', async () => {
    const [first] = readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));
    const history = historyFromJSON(JSON.parse(readFileSync(fixturesDir + first, 'utf8')));
    const reordered = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./fixtures/reordered-workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const [result] = await replay({ code: reordered.code }, [{ workflowId: first!, history }]);
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
  });
});

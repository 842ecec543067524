import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { History } from '@temporalio/worker/lib/runtime.js';
import { describe, expect, inject, it } from 'vitest';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { workflowsPath } from '../app/case-worker.js';
import { fixtureFiles, fixturesDir, readManifest, sha256OfFixture } from './support/fixtures.js';
import { client, completeOpenTask, startBypassingIntake, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { testDataConverter } from './support/codec.js';

const bundle = { codePath: inject('workflowBundlePath') };

/** Every path a running case can be on when the workflow changes; each needs a committed history (RECORD_HISTORIES=1). */
const REQUIRED_PATHS = [
  'approve',
  'reject',
  'refuse-identity',
  'case-worker-decision',
  'evidence-uploaded',
  'fee-in-advance-paid',
  'fee-in-advance-cancelled',
  'fee-after-decision',
  'payout',
  'refund',
  'delivery-handed-over',
  'four-eyes',
  'case-worker-reminder',
  'case-worker-escalation',
  'evidence-reminder',
  'evidence-expiry',
  'applicant-question',
  'caseSummaryWorkflow',
  'lean-outbound-automated',
  'lean-outbound-case-worker',
  'lean-outbound-documents-needed',
  // Cases with an Akte: the input carries the Antrag's reference (claim-check), the steps read the Akte.
  'akte-automated-approval',
  'akte-documents-requested',
  'akte-fee-paid',
  'akte-payout',
];

type Mutation = { file: string; from: string; to: string };
/**
 * One subtle change per workflow type and code path, in the real workflow code: two stages swapped, or a step run
 * differently. The case workflow has two paths (cases from before the journal replay the frozen v1 code), so its mutant
 * changes each path once.
 */
const MUTANTS: Record<string, Mutation[]> = {
  caseWorkflow: [
    {
      file: 'workflows/legacy/case-workflow-v1.ts',
      from: "await enter('validating', 'application.validation_started');\n  const validation = await acts.validateApplication(applicationRef(input));",
      to: "const validation = await acts.validateApplication(applicationRef(input));\n  await enter('validating', 'application.validation_started');",
    },
    {
      file: 'workflows/case-workflow.ts',
      from: 'const intake = await local.assessCase(',
      to: 'const intake = await acts.assessCase(',
    },
  ],
  caseSummaryWorkflow: [
    {
      file: 'workflows/case-summary.ts',
      from: 'await summarising.summariseForCaseWorker(i);',
      to: 'await summarising.draftApplicantAnswer(i as never);',
    },
  ],
  applicantQuestionWorkflow: [
    {
      file: 'workflows/applicant-question.ts',
      from: 'drafting.draftApplicantAnswer(input).then(',
      to: 'Promise.resolve(undefined).then(',
    },
  ],
};

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

async function replay(
  workflowBundle: { code: string } | { codePath: string },
  histories: Array<{ workflowId: string; history: History }>,
) {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle, dataConverter: testDataConverter }, histories))
    results.push(r);
  return results;
}

const committed = () =>
  fixtureFiles().map((f) => ({
    workflowId: f,
    history: historyFromJSON(JSON.parse(readFileSync(fixturesDir + f, 'utf8'))),
  }));
const typeOf = (h: History): string =>
  h.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';

/** Histories of cases that went down each path: approve, reject, refuse, escalate with a case worker's decision, and evidence uploaded instead of fetched. */
async function freshHistories() {
  return withWorker(async (e) => {
    const { cases, tasks, taskQueue, deps } = e;
    const ids = await Promise.all(
      (['resident', 'other_zone'] as const).map(async (kind) => (await cases.submit(applicationOf(kind))).caseId),
    );
    // Intake refuses a low trust level; the workflow's own re-check is what the history records.
    ids.push(await startBypassingIntake(taskQueue, applicationOf('low_trust')));
    const escalated = (await cases.submit(applicationOf('company_car'))).caseId;
    await waitFor(async () => (await cases.status(escalated)).status === 'awaiting_case_worker', {
      timeoutMs: 60_000,
      what: 'escalation',
    });
    const { openTaskId } = await cases.status(escalated);
    await waitFor(async () => tasks.find(openTaskId!), { timeoutMs: 30_000, what: 'the task row' });
    const actor = { id: 'sb.replay', role: 'case_worker' as const, authorityId: 'stadt-musterstadt' };
    await tasks.act(escalated, { action: 'claim', taskId: openTaskId!, actor });
    await tasks.act(escalated, {
      action: 'complete',
      taskId: openTaskId!,
      actor,
      outcome: 'reject',
      justification: 'Keine private Nutzung.',
    });
    ids.push(escalated);
    const uploaded = (await cases.submit({ ...applicationOf('resident', 2), consent: { evidenceRetrieval: false } }))
      .caseId;
    await waitFor(async () => (await cases.status(uploaded)).status === 'awaiting_applicant', {
      timeoutMs: 60_000,
      what: 'evidence request',
    });
    for (const evidenceType of ['residence', 'vehicle_registration']) {
      const document = await deps.documents.put(Buffer.from(`%PDF-1.7 ${evidenceType}`), 'application/pdf');
      await cases.uploadEvidence(uploaded, { evidenceType, document, fileName: `${evidenceType}.pdf` });
    }
    await waitFor(async () => (await cases.status(uploaded)).status === 'awaiting_case_worker', {
      timeoutMs: 60_000,
      what: 'escalation',
    });
    await completeOpenTask(e, uploaded, {
      caseWorker: 'sb.replay',
      outcome: 'approve',
      justification: 'Unterlagen geprüft.',
    });
    ids.push(uploaded);
    await Promise.all(ids.map((id) => cases.result(id)));
    return Promise.all(
      ids.map(async (id) => ({
        workflowId: caseWorkflowId(id),
        history: await client.workflow.getHandle(caseWorkflowId(id)).fetchHistory(),
      })),
    );
  });
}

describe('workflow determinism', () => {
  it('replays histories of finished cases, fresh and committed, without a determinism violation', async () => {
    const fresh = await freshHistories();
    const histories = [...fresh, ...committed()];
    const results = await replay(bundle, histories);
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
  }, 180_000);

  it('committed histories are append-only: none changed or removed, every new one listed, every path covered', () => {
    // A failure here means a fixture was edited or re-recorded: restore it, and gate the workflow change with patched().
    const manifest = readManifest();
    expect(Object.fromEntries(fixtureFiles().map((f) => [f, sha256OfFixture(f)]))).toEqual(
      Object.fromEntries(Object.entries(manifest).map(([f, m]) => [f, m.sha256])),
    );
    const covered = new Set(Object.values(manifest).flatMap((m) => m.paths));
    expect(REQUIRED_PATHS.filter((p) => !covered.has(p))).toEqual([]);
  });

  it('negative control: every committed history fails against the real workflow with one subtle change', async () => {
    const histories = committed();
    const failures: string[] = [];
    for (const [type, mutation] of Object.entries(MUTANTS)) {
      const ofType = histories.filter((h) => typeOf(h.history) === type);
      if (ofType.length === 0) continue;
      const mutant = await bundleWorkflowCode({
        workflowsPath,
        logger: quiet,
        webpackConfigHook: (config) => {
          config.module?.rules?.push({
            enforce: 'pre',
            test: /\.ts$/,
            use: [
              {
                loader: fileURLToPath(new URL('./support/mutant-loader.cjs', import.meta.url)),
                options: { mutations: mutation },
              },
            ],
          });
          return config;
        },
      });
      const results = await replay({ code: mutant.code }, ofType);
      expect(results).toHaveLength(ofType.length);
      failures.push(
        ...results
          .filter((r) => !(r.error instanceof DeterminismViolationError))
          .map((r) => `${r.workflowId} replayed against the ${type} mutant`),
      );
    }
    expect(histories.every((h) => MUTANTS[typeOf(h.history)])).toBe(true);
    expect(failures).toEqual([]);
  }, 180_000);
});

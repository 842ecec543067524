import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { History } from '@temporalio/worker/lib/runtime.js';
import { describe, expect, inject, it } from 'vitest';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import {
  coveredInCurrentShape,
  DUPLICATES,
  distinctFixtureFiles,
  fixtureFiles,
  fixturesDir,
  readManifest,
  sha256OfFixture,
} from './support/fixtures.js';
import {
  BEKANNTGABE_PATHS,
  OBJECTION_PATHS,
  CORRECTION_PATHS,
  CASE_PATHS,
  CURRENT_SHAPE,
  factsOfFile,
  LATE_STAGES,
  type LateStage,
  OTHER_TYPES,
} from './support/history-facts.js';
import { client, completeOpenTask, startBypassingIntake, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { testDataConverter } from './support/codec.js';

const bundle = { codePath: inject('workflowBundlePath') };

/** Every path a running case can be on when the workflow changes: each needs a committed history in the current shape. */
const REQUIRED_PATHS = [
  ...Object.keys(CASE_PATHS),
  ...OTHER_TYPES,
  ...Object.keys(BEKANNTGABE_PATHS),
  ...Object.keys(OBJECTION_PATHS),
  ...Object.keys(CORRECTION_PATHS),
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
      to: 'await summarising.draftApplicantAnswer(i);',
    },
  ],
  applicantQuestionWorkflow: [
    {
      file: 'workflows/applicant-question.ts',
      from: 'drafting.draftApplicantAnswer(input).then(',
      to: 'Promise.resolve(undefined).then(',
    },
  ],
  bekanntgabeWorkflow: [
    {
      file: 'workflows/bekanntgabe.ts',
      from: 'const plan = await local.planBekanntgabe(input);',
      to: 'const plan = await acts.planBekanntgabe(input);',
    },
  ],
  objectionWorkflow: [
    {
      file: 'workflows/objection.ts',
      // The first task the procedure opens (the Abhilfeprüfung's) becomes another activity.
      from: 'await acts.openObjectionTask(',
      to: 'await acts.recordObjectionStage(',
    },
  ],
  correctionWorkflow: [
    {
      file: 'workflows/correction.ts',
      // Whatever the second person decides, another activity runs first.
      from: 'state.confirmedBy = c.by;',
      to: 'state.confirmedBy = c.by;\n  await acts.deliverObjectionDocument(input);',
    },
  ],
};

/**
 * One mutant per late stage, each changing the stage in every code path that runs it (the lean and journal shapes in
 * workflows/, v1 in workflows/legacy/): a scheduled activity of another type, or a local activity of another type. Each
 * must fail exactly the fixtures whose history reaches the stage (history-facts.ts), so every late stage is guarded.
 */
const LATE_STAGE_MUTANTS: Record<LateStage, Mutation[]> = {
  'fee-collection': [
    {
      file: 'workflows/fee-collection.ts',
      from: 'const opened = await acts.openFeePayment(',
      to: 'const opened = await acts.checkFeePayment(',
    },
    {
      file: 'workflows/legacy/fee-collection-v1.ts',
      from: 'const request = await acts.requestFeePayment(',
      to: 'const request = await acts.checkFeePayment(',
    },
  ],
  payout: [
    { file: 'workflows/fee-collection.ts', from: 'await acts.payOut(', to: 'await acts.refundFee(' },
    { file: 'workflows/legacy/fee-collection-v1.ts', from: 'await acts.payOut(', to: 'await acts.refundFee(' },
  ],
  delivery: [
    {
      file: 'workflows/delivery.ts',
      from: 'return await postbox.deliverToApplicant(',
      to: 'return await postbox.handOverDelivery(',
    },
    {
      file: 'workflows/legacy/delivery-v1.ts',
      from: 'return await postbox.deliverToApplicant(',
      to: 'return await postbox.handOverDelivery(',
    },
  ],
  bescheid: [
    {
      file: 'workflows/case-workflow.ts',
      from: 'bescheid = await acts.issueBescheid(content);',
      to: 'bescheid = await acts.sealBescheid(content);',
    },
    {
      file: 'workflows/case-workflow.ts',
      from: 'const document = await acts.renderBescheid(content);',
      to: 'const document = await acts.issueBescheid(content);',
    },
    {
      file: 'workflows/legacy/case-workflow-v1.ts',
      from: 'const document = await acts.renderBescheid(',
      to: 'const document = await acts.issueBescheid(',
    },
  ],
  archive: [
    { file: 'workflows/case-workflow.ts', from: 'await acts.archiveCase(', to: 'await acts.sealBescheid(' },
    { file: 'workflows/legacy/case-workflow-v1.ts', from: 'await acts.archiveCase(', to: 'await acts.sealBescheid(' },
    { file: 'workflows/fiction.ts', from: 'await acts.archiveCase(', to: 'await acts.sealBescheid(' },
  ],
  'task-handling': [
    { file: 'workflows/await-case-worker.ts', from: 'local.syncTask(', to: 'local.recordJournal(' },
    { file: 'workflows/legacy/await-case-worker-v1.ts', from: 'local.syncTask(', to: 'local.recordJournal(' },
  ],
};

/**
 * The run's bundle of the real workflows (test/global-setup.ts) with the given subtle changes made in the named files'
 * modules as webpack bundled them: one bundle for every mutant instead of a webpack run each. In a module's bundled
 * code (after the marker line naming its path) an imported binding is read through its module object (`acts.x(` reads
 * `_activity_proxies_js__WEBPACK_IMPORTED_MODULE_3__.acts.x(`) and the indentation differs, so a mutation's text is
 * qualified the same way and matched whitespace-insensitively.
 */
async function mutantBundle(mutations: Mutation[]): Promise<{ code: string }> {
  let code = readFileSync(bundle.codePath, 'utf8');
  for (const { file, from, to } of mutations) {
    const start = code.indexOf(`/***/ "./${file}"`);
    const next = start < 0 ? -1 : code.indexOf('\n/***/ "./', start);
    const end = next < 0 ? code.length : next;
    const module = code.slice(start, end);
    const qualified = (text: string) =>
      text.replace(/(?<![\w$.])([A-Za-z_$][\w$]*)\./g, (whole, name: string) => {
        const via = new RegExp(`([\\w$]+__WEBPACK_IMPORTED_MODULE_\\d+__)\\.${name}\\.`).exec(module);
        return via ? `${via[1]}.${name}.` : whole;
      });
    const pattern = new RegExp(
      qualified(from)
        .split(/\s+/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\s+'),
    );
    const found = start < 0 ? null : pattern.exec(module);
    if (!found)
      throw new Error(`mutant: "${from}" not found in the bundled ${file}; update the mutation in test/replay.test.ts`);
    code = code.slice(0, start + found.index) + qualified(to) + code.slice(start + found.index + found[0].length);
  }
  return { code };
}

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
  distinctFixtureFiles().map((f) => ({
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
    // Coverage is read from the histories (patch markers and what they ran), in the shape new cases start in.
    const covered = coveredInCurrentShape();
    expect(REQUIRED_PATHS.filter((p) => !covered.has(p))).toEqual([]);
    // A byte-identical copy is one history, not two: only the known ones (fixtures.ts) exist, and they are not counted.
    const byHash = new Map<string, string[]>();
    for (const f of fixtureFiles()) byHash.set(sha256OfFixture(f), [...(byHash.get(sha256OfFixture(f)) ?? []), f]);
    expect(
      [...byHash.values()]
        .filter((files) => files.length > 1)
        .map((files) => files.join(' = '))
        .sort(),
    ).toEqual(
      Object.entries(DUPLICATES)
        .map(([copy, original]) => [original, copy].sort().join(' = '))
        .sort(),
    );
  });

  it('negative control: every committed history fails against the real workflow with one subtle change', async () => {
    const histories = committed();
    const failures: string[] = [];
    for (const [type, mutation] of Object.entries(MUTANTS)) {
      const ofType = histories.filter((h) => typeOf(h.history) === type);
      if (ofType.length === 0) continue;
      const mutant = await mutantBundle(mutation);
      const results = await replay(mutant, ofType);
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

  it('negative control per late stage: each mutant fails exactly the committed histories that reach its stage', async () => {
    const cases = committed().filter((h) => typeOf(h.history) === 'caseWorkflow');
    const facts = new Map(distinctFixtureFiles().map((f) => [f, factsOfFile(fixturesDir + f)]));
    const failedBy: Record<string, string[]> = {};
    const reaching: Record<string, string[]> = {};
    for (const [stage, mutations] of Object.entries(LATE_STAGE_MUTANTS)) {
      const results = await replay(await mutantBundle(mutations), cases);
      expect(results).toHaveLength(cases.length);
      failedBy[stage] = results
        .filter((r) => r.error instanceof DeterminismViolationError)
        .map((r) => r.workflowId)
        .sort();
      reaching[stage] = cases
        .filter((h) => LATE_STAGES[stage as LateStage](facts.get(h.workflowId)!))
        .map((h) => h.workflowId)
        .sort();
    }
    expect(failedBy).toEqual(reaching);
    // Every stage is reached by a history of the current shape, so the mutant guards the code that runs today.
    for (const [stage, files] of Object.entries(reaching))
      expect(
        files.some((f) => facts.get(f)?.shape === CURRENT_SHAPE),
        stage,
      ).toBe(true);
  }, 300_000);
});

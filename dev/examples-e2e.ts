import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { CaseClient } from '../client/case-client.js';
import { IntakeRefusedError } from '../client/intake-refused.js';
import type { Database } from '../db/client.js';
import { listDecisions } from '../db/queries/decisions.js';
import { listRetrievalsOfCase } from '../db/queries/evidence-retrievals.js';
import { listPayments } from '../db/queries/payments.js';
import type { EngineExtensions } from '../adapters/extensions.js';
import type { ServiceExample } from '../services/service-folder.js';
import type { ServiceDefinition } from '../services/types.js';

/** Where a case stops for the end-to-end check: closed, or waiting for a person. */
const RESTING = new Set(['closed', 'awaiting_case_worker', 'awaiting_applicant']);

export interface E2eRun {
  name: string;
  ok: boolean;
  caseId?: string;
  /** What differs from the example's expectation, in words. */
  mismatches: string[];
  /** One line on what the engine did. */
  summary: string;
}

/**
 * A command-line check prints its own lines, not the engine's: Temporal's runtime logger (worker state changes,
 * webpack's bundle statistics, workflow and activity logs) passes only warnings and errors, to stderr. Call it before
 * the engine starts: the runtime is installed once, before the first connection.
 */
export function installQuietRuntime(): void {
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/**
 * The registers and step activities of an end-to-end run: each answers as the example being run says (its
 * `evidence`), so the engine's own intake, rules, fee, Bescheid, seal, delivery and archive run on exactly that.
 */
export function exampleAnswers(
  service: ServiceDefinition,
  current: () => ServiceExample | undefined,
): EngineExtensions {
  const given = (type: string) => current()?.evidence?.[type];
  const registers = Object.fromEntries(
    [...new Set(service.evidence.map((e) => e.register))].map((register) => [
      register,
      {
        async lookup(q: { evidenceType: string }) {
          const answer = given(q.evidenceType);
          // An example without an answer for this evidence: the register has no record.
          if (!answer || answer.status !== 'found') return { status: 'not_found' as const };
          return { status: 'found' as const, facts: answer.facts ?? {} };
        },
      },
    ]),
  );
  const steps = Object.fromEntries(
    (service.steps ?? []).map((s) => [s.activity, async () => ({ facts: given(s.name)?.facts ?? {} })]),
  );
  return { registers, steps };
}

/**
 * Runs each example as a real case, one after the other: submitted through the typed client on the example's day
 * (so the rule set version in force then decides), then waited for until it closes or waits for a person. Compares
 * the stored decision, fee, retrieved evidence and fired rules with the example's expectation.
 */
export async function runExamplesEndToEnd(
  engine: { client: Client; db: Database; taskQueue: string },
  service: ServiceDefinition,
  examples: readonly ServiceExample[],
  o: { setCurrent(ex: ServiceExample | undefined): void; timeoutMs?: number },
): Promise<E2eRun[]> {
  const runs: E2eRun[] = [];
  for (const ex of examples) {
    o.setCurrent(ex);
    try {
      runs.push(await runOne(engine, service, ex, o.timeoutMs ?? 120_000));
    } catch (err) {
      runs.push({ name: ex.name, ok: false, mismatches: [(err as Error).message], summary: 'failed to run' });
    } finally {
      o.setCurrent(undefined);
    }
  }
  return runs;
}

async function runOne(
  engine: { client: Client; db: Database; taskQueue: string },
  service: ServiceDefinition,
  ex: ServiceExample,
  timeoutMs: number,
): Promise<E2eRun> {
  const e = ex.expected;
  const mismatches: string[] = [];
  const differ = (what: string, want: unknown, got: unknown) =>
    JSON.stringify(want) !== JSON.stringify(got) &&
    mismatches.push(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  // The example's day pins the rule set version, as it does for the rules-only check.
  const cases = new CaseClient(
    engine.client,
    engine.db,
    engine.taskQueue,
    () => new Date(`${ex.submittedOn}T12:00:00Z`),
  );
  const submitted = await cases
    .submit({
      serviceKey: service.key,
      authorityId: ex.authorityId,
      identity: { subject: `example-${ex.name}`, trustLevel: 'high' },
      application: ex.application,
      consent: { evidenceRetrieval: true },
    })
    .catch((err: unknown) => {
      if (err instanceof IntakeRefusedError) return err;
      throw err;
    });
  if (submitted instanceof IntakeRefusedError) {
    const pointers = submitted.errors.map((f) => f.pointer);
    differ('valid', e.valid ?? true, false);
    for (const p of e.errors ?? [])
      if (!pointers.includes(p)) mismatches.push(`expected a field error at ${p}, got ${JSON.stringify(pointers)}`);
    return {
      name: ex.name,
      ok: mismatches.length === 0,
      mismatches,
      summary: `refused at intake (${submitted.code}${pointers.length ? `: ${pointers.join(', ')}` : ''})`,
    };
  }
  const { caseId } = submitted;
  differ('valid', e.valid ?? true, true);
  const deadline = Date.now() + timeoutMs;
  // A query can fail while the case's workflow task is being retried (a busy machine): ask again until the deadline.
  let lastError: Error | undefined;
  const status = () =>
    cases.status(caseId).catch((err: Error) => {
      lastError = err;
      return undefined;
    });
  let state = await status();
  while (!state || !RESTING.has(state.status)) {
    if (Date.now() > deadline)
      return {
        name: ex.name,
        ok: false,
        caseId,
        mismatches: [
          state ? `still ${state.status} after ${timeoutMs / 1000} s` : `no status: ${lastError?.message ?? 'none'}`,
        ],
        summary: state ? `stuck at ${state.status}` : 'no status',
      };
    await delay(250);
    state = await status();
  }
  const decision = (await listDecisions(engine.db, { caseId }))[0];
  const fee = (await listPayments(engine.db, { caseId }))
    .filter((p) => p.kind === 'fee')
    .reduce((sum, p) => sum + p.amountCents, 0);
  const retrieved = [...new Set((await listRetrievalsOfCase(engine.db, { caseId })).map((r) => r.evidenceType))].sort();
  if (e.outcome !== undefined) differ('outcome', e.outcome, decision?.outcome);
  if (e.rules) differ('rules', [...e.rules].sort(), decision?.firedRules.map((r) => r.ruleId).sort());
  if (e.payoutCents !== undefined) differ('payoutCents', e.payoutCents, decision?.payoutCents ?? undefined);
  if (e.requiredEvidence) differ('requiredEvidence', [...e.requiredEvidence].sort(), retrieved);
  // A fee due after the decision is charged only once a person decided an escalated case.
  const feeCharged = service.fee.timing !== 'after_decision' || state.status === 'closed';
  if (e.feeCents !== undefined && feeCharged) differ('feeCents', e.feeCents, fee);
  return {
    name: ex.name,
    ok: mismatches.length === 0,
    caseId,
    mismatches,
    summary: `${decision?.outcome ?? 'no decision'}, case ${state.status}${state.outcome ? ` (${state.outcome})` : ''}, fee ${feeCharged ? `${fee} ct` : 'after the decision'}, evidence ${retrieved.join(', ') || 'none'}`,
  };
}

import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import { applicationSourceOf, type CaseInput, type Decision, type EvidenceResult } from './contracts/case.js';
import { effectKey } from './contracts/ids.js';
import type { StepActivity } from '../adapters/extensions.js';
import type { CasePlan, StepPoint } from '../services/types.js';
import { has, type CaseShape } from './case-shape.js';

// Team activities are registered by name at composition; the workflow knows only their contract.
const steps = proxyActivities<Record<string, StepActivity>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** The part of the case context (case-journal.ts) a step needs. */
export interface StepContext {
  input: CaseInput;
  plan: CasePlan;
  journal: { note(event: string, data?: Record<string, unknown>): Promise<void> };
  shape: CaseShape;
}

/**
 * Runs the service's own steps declared for this point, in order. Gated by `patched`, and only for plans that
 * declare steps, so cases started before steps existed replay unchanged. A step that keeps failing is case data:
 * `step.failed` in the journal, and the rules see its evidence as unavailable.
 */
export async function runServiceSteps(
  at: StepPoint,
  c: StepContext,
  evidence: EvidenceResult[],
  decision?: Decision,
): Promise<EvidenceResult[]> {
  const due = (c.plan.steps ?? []).filter((s) => s.at === at);
  if (due.length === 0 || !has(c.shape, 'service-steps')) return evidence;
  const out = [...evidence];
  for (const s of due) {
    const { caseId, serviceKey, authorityId } = c.input;
    try {
      const r = await steps[s.activity]!({
        caseId,
        serviceKey,
        authorityId,
        step: s.name,
        at,
        ...applicationSourceOf(c.input),
        evidence: out,
        decision,
        idempotencyKey: effectKey(caseId, `step:${s.name}`),
      });
      await c.journal.note('step.completed', { step: s.name, at, ...r.note });
      if (at === 'after_evidence')
        out.push({ evidenceType: s.name, register: `step:${s.activity}`, status: 'found', facts: r.facts ?? {} });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('service step failed', { step: s.name, error: String(err.cause?.message ?? err.message) });
      await c.journal.note('step.failed', { step: s.name, at });
      if (at === 'after_evidence')
        out.push({ evidenceType: s.name, register: `step:${s.activity}`, status: 'unavailable', facts: {} });
    }
  }
  return out;
}

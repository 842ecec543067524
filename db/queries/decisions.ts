import { asc, eq } from 'drizzle-orm';
import type { Decision, FiredRule } from '../../contracts/case.js';
import type { DbExecutor } from '../client.js';
import { decisions } from '../schema.js';

export interface RecordDecisionParams {
  idempotencyKey: string;
  caseId: string;
  serviceKey: string;
  ruleSetId: string;
  decision: Decision;
}

/** Stores a rules decision once; a retried activity finds the first row. */
export async function recordDecision(db: DbExecutor, p: RecordDecisionParams): Promise<void> {
  await db
    .insert(decisions)
    .values({
      idempotencyKey: p.idempotencyKey,
      caseId: p.caseId,
      serviceKey: p.serviceKey,
      ruleSetId: p.ruleSetId,
      ruleSetVersion: p.decision.ruleSetVersion,
      ruleSetHash: p.decision.ruleSetHash,
      outcome: p.decision.outcome,
      firedRules: p.decision.firedRules,
      facts: p.decision.facts,
      payoutCents: p.decision.payoutCents ?? null,
      forwardTo: p.decision.forwardTo ?? null,
    })
    .onConflictDoNothing({ target: decisions.idempotencyKey });
}

export async function listDecisions(db: DbExecutor, { caseId }: { caseId: string }) {
  const rows = await db
    .select({
      caseId: decisions.caseId,
      serviceKey: decisions.serviceKey,
      ruleSetId: decisions.ruleSetId,
      ruleSetVersion: decisions.ruleSetVersion,
      ruleSetHash: decisions.ruleSetHash,
      outcome: decisions.outcome,
      firedRules: decisions.firedRules,
      facts: decisions.facts,
      payoutCents: decisions.payoutCents,
      forwardTo: decisions.forwardTo,
      decidedAt: decisions.decidedAt,
    })
    .from(decisions)
    .where(eq(decisions.caseId, caseId))
    .orderBy(asc(decisions.decidedAt));
  return rows.map((r) => ({ ...r, firedRules: r.firedRules as FiredRule[], facts: r.facts as Record<string, unknown>, forwardTo: r.forwardTo as string[] | null }));
}

import { and, asc, eq, gte, isNull, or } from 'drizzle-orm';
import type { Decision, FiredRule } from '../../workflows/contracts/case.js';
import type { DbExecutor } from '../client.js';
import { cases, decisions } from '../schema.js';

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
  return rows.map((r) => ({
    ...r,
    firedRules: r.firedRules as FiredRule[],
    facts: r.facts as Record<string, unknown>,
    forwardTo: r.forwardTo as string[] | null,
  }));
}

/** The rules decisions of a service's open cases and of those closed since a date, with where each case stands. */
export async function listDecisionsOfService(
  db: DbExecutor,
  { serviceKey, closedSince }: { serviceKey: string; closedSince: Date },
) {
  const rows = await db
    .select({
      caseId: decisions.caseId,
      status: cases.status,
      authorityId: cases.authorityId,
      submittedAt: cases.submittedAt,
      ruleSetId: decisions.ruleSetId,
      ruleSetVersion: decisions.ruleSetVersion,
      outcome: decisions.outcome,
      firedRules: decisions.firedRules,
      facts: decisions.facts,
      payoutCents: decisions.payoutCents,
      decidedAt: decisions.decidedAt,
    })
    .from(decisions)
    .innerJoin(cases, eq(cases.caseId, decisions.caseId))
    .where(and(eq(decisions.serviceKey, serviceKey), or(isNull(cases.closedAt), gte(cases.closedAt, closedSince))))
    .orderBy(asc(decisions.decidedAt));
  return rows.map((r) => ({
    ...r,
    firedRules: r.firedRules as FiredRule[],
    facts: r.facts as Record<string, unknown>,
  }));
}

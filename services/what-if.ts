import type { Decision } from '../workflows/contracts/case.js';
import type { DbExecutor } from '../db/client.js';
import { listDecisions } from '../db/queries/decisions.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';

export interface WhatIfResult {
  caseId: string;
  stored: { outcome: string; ruleSetVersion: string; ruleSetHash: string };
  alternative: Decision;
  changed: boolean;
}

export class NoStoredDecisionError extends Error {}

/** Re-decides a stored case's facts under another rule set version, for a legal change on a set date. Writes nothing. */
export async function whatIf(
  db: DbExecutor,
  { caseId, ruleSetVersion }: { caseId: string; ruleSetVersion: string },
): Promise<WhatIfResult> {
  const stored = (await listDecisions(db, { caseId }))[0];
  if (!stored) throw new NoStoredDecisionError(`no rules decision stored for case ${caseId}`);
  const alternative = await decide(await loadRuleSet(stored.ruleSetId, ruleSetVersion), stored.facts);
  return {
    caseId,
    stored: { outcome: stored.outcome, ruleSetVersion: stored.ruleSetVersion, ruleSetHash: stored.ruleSetHash },
    alternative,
    changed: alternative.outcome !== stored.outcome || alternative.payoutCents !== (stored.payoutCents ?? undefined),
  };
}

import type { DbExecutor } from '../db/client.js';
import { listDecisionsOfService } from '../db/queries/decisions.js';
import { decide } from './decide.js';
import type { RuleSet } from './rule-set.js';

export interface ChangedCase {
  caseId: string;
  status: string;
  stored: { outcome: string; payoutCents: number | null; ruleSetVersion: string };
  alternative: { outcome: string; payoutCents: number | null };
  /** Rules that fire only under the candidate, and those that fire only under the stored version: the difference. */
  rulesAdded: string[];
  rulesRemoved: string[];
  /** Rules that fire under both but lead elsewhere. */
  rulesChanged: string[];
}

export interface BulkWhatIfReport {
  serviceKey: string;
  candidate: { ruleSetId: string; version: string; hash: string };
  closedSince: string;
  /** Open cases with a rules decision and cases closed since `closedSince`, re-decided on their stored facts. */
  cases: number;
  outcomeChanged: number;
  payoutChanged: number;
  /** E.g. `approve→reject`: how many cases would move that way. */
  transitions: Record<string, number>;
  /** Per rule, in how many changed cases it made the difference. */
  rules: Record<string, { added: number; removed: number; changed: number }>;
  changedCases: ChangedCase[];
}

/**
 * Re-decides every open and recently closed case of a service under a candidate rule set, on the facts stored with
 * its decision, before a legal change takes effect. Reads only; writes nothing and touches no running case.
 */
export async function whatIfBulk(
  db: DbExecutor,
  o: { serviceKey: string; ruleSet: RuleSet; closedSince: Date },
): Promise<BulkWhatIfReport> {
  const rows = (await listDecisionsOfService(db, { serviceKey: o.serviceKey, closedSince: o.closedSince })).filter(
    (r) => r.ruleSetId === o.ruleSet.ruleSetId,
  );
  // The latest rules decision per case (a retried decision is stored once; a case has at most one).
  const latest = new Map(rows.map((r) => [r.caseId, r]));
  const report: BulkWhatIfReport = {
    serviceKey: o.serviceKey,
    candidate: { ruleSetId: o.ruleSet.ruleSetId, version: o.ruleSet.version, hash: o.ruleSet.hash },
    closedSince: o.closedSince.toISOString(),
    cases: latest.size,
    outcomeChanged: 0,
    payoutChanged: 0,
    transitions: {},
    rules: {},
    changedCases: [],
  };
  for (const stored of latest.values()) {
    const alt = await decide(o.ruleSet, stored.facts);
    const altPayout = alt.payoutCents ?? null;
    const outcomeChanged = alt.outcome !== stored.outcome;
    const payoutChanged = altPayout !== (stored.payoutCents ?? null);
    if (!outcomeChanged && !payoutChanged) continue;
    const before = new Map(stored.firedRules.map((r) => [r.ruleId, r.outcome]));
    const after = new Map(alt.firedRules.map((r) => [r.ruleId, r.outcome]));
    const rulesAdded = [...after.keys()].filter((r) => !before.has(r)).sort();
    const rulesRemoved = [...before.keys()].filter((r) => !after.has(r)).sort();
    const rulesChanged = [...after.keys()].filter((r) => before.has(r) && before.get(r) !== after.get(r)).sort();
    if (outcomeChanged) {
      report.outcomeChanged++;
      const t = `${stored.outcome}→${alt.outcome}`;
      report.transitions[t] = (report.transitions[t] ?? 0) + 1;
    }
    if (payoutChanged) report.payoutChanged++;
    const tally = (r: string) => (report.rules[r] ??= { added: 0, removed: 0, changed: 0 });
    for (const r of rulesAdded) tally(r).added++;
    for (const r of rulesRemoved) tally(r).removed++;
    for (const r of rulesChanged) tally(r).changed++;
    report.changedCases.push({
      caseId: stored.caseId,
      status: stored.status,
      stored: {
        outcome: stored.outcome,
        payoutCents: stored.payoutCents ?? null,
        ruleSetVersion: stored.ruleSetVersion,
      },
      alternative: { outcome: alt.outcome, payoutCents: altPayout },
      rulesAdded,
      rulesRemoved,
      rulesChanged,
    });
  }
  return report;
}

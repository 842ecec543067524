import type { DbExecutor } from '../db/client.js';
import { listDecisionsOfService } from '../db/queries/decisions.js';
import { findService } from './catalogue.js';
import type { ServiceDefinition } from './types.js';
import { assessIntake } from '../rules/assess-intake.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet, type RuleSet } from '../rules/rule-set.js';

export interface ChangedCase {
  caseId: string;
  status: string;
  stored: { outcome: string; payoutCents: number | null; feeCents: number | null; ruleSetVersion: string };
  alternative: { outcome: string; payoutCents: number | null; feeCents: number | null };
  /** Rules that fire only under the candidate, and those that fire only under the stored version: the difference. */
  rulesAdded: string[];
  rulesRemoved: string[];
  /** Rules that fire under both but lead elsewhere (another outcome, another amount). */
  rulesChanged: string[];
  /** What changed: `outcome`, `fee`, `payout`. */
  changes: Array<'outcome' | 'fee' | 'payout'>;
}

export interface BulkWhatIfReport {
  serviceKey: string;
  candidate: { ruleSetId: string; version: string; hash: string };
  closedSince: string;
  /** Open cases with a rules decision and cases closed since `closedSince`, re-decided on their stored facts. */
  cases: number;
  outcomeChanged: number;
  feeChanged: number;
  payoutChanged: number;
  /** Cases whose application could not be read, so their fee was not recomputed (named in `feeUnknownCases`). */
  feeUnknown: number;
  feeUnknownCases: string[];
  /** E.g. `approve→reject`: how many cases would move that way. */
  transitions: Record<string, number>;
  /** Per rule (decision and fee rules), in how many changed cases it made the difference. */
  rules: Record<string, { added: number; removed: number; changed: number }>;
  changedCases: ChangedCase[];
}

/** A case's application as submitted; undefined when it cannot be read (the fee is then reported unknown). */
export type ApplicationSource = (caseId: string) => Promise<Record<string, unknown> | undefined>;

/** The application when the service's decision facts carry it (the default facts do). */
const applicationInFacts =
  (facts: Record<string, unknown>): ApplicationSource =>
  async () => {
    const a = facts['application'];
    return a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : undefined;
  };

type Amounts = Map<string, number>;
/** Fee rules as rule → amount; the fee is their sum. */
async function feeOf(ruleSet: RuleSet, facts: Record<string, unknown>): Promise<{ cents: number; rules: Amounts }> {
  const a = await assessIntake(ruleSet, facts);
  return { cents: a.feeCents, rules: new Map(a.feeRules.map((r) => [r.ruleId, r.amountCents])) };
}

/**
 * Re-decides every open and recently closed case of a service under a candidate rule set, before a legal change takes
 * effect: the decision on the facts stored with it, and the fee from the intake rules on the case's application (read
 * through `applications`, e.g. from the workflow's history; by default from the stored facts when they carry it).
 * Reads only; writes nothing and touches no running case.
 */
export async function whatIfBulk(
  db: DbExecutor,
  o: {
    serviceKey: string;
    ruleSet: RuleSet;
    closedSince: Date;
    /** The service's definition (intake facts, authorities); default: the catalogue's. */
    service?: ServiceDefinition;
    applications?: ApplicationSource;
  },
): Promise<BulkWhatIfReport> {
  const rows = (await listDecisionsOfService(db, { serviceKey: o.serviceKey, closedSince: o.closedSince })).filter(
    (r) => r.ruleSetId === o.ruleSet.ruleSetId,
  );
  const service = o.service ?? findService(o.serviceKey);
  // The latest rules decision per case (a retried decision is stored once; a case has at most one).
  const latest = new Map(rows.map((r) => [r.caseId, r]));
  const report: BulkWhatIfReport = {
    serviceKey: o.serviceKey,
    candidate: { ruleSetId: o.ruleSet.ruleSetId, version: o.ruleSet.version, hash: o.ruleSet.hash },
    closedSince: o.closedSince.toISOString(),
    cases: latest.size,
    outcomeChanged: 0,
    feeChanged: 0,
    payoutChanged: 0,
    feeUnknown: 0,
    feeUnknownCases: [],
    transitions: {},
    rules: {},
    changedCases: [],
  };
  const storedRuleSets = new Map<string, Promise<RuleSet>>();
  const storedRuleSet = (version: string) => {
    if (!storedRuleSets.has(version)) storedRuleSets.set(version, loadRuleSet(o.ruleSet.ruleSetId, version));
    return storedRuleSets.get(version)!;
  };
  for (const stored of latest.values()) {
    const alt = await decide(o.ruleSet, stored.facts);
    const altPayout = alt.payoutCents ?? null;
    const outcomeChanged = alt.outcome !== stored.outcome;
    const payoutChanged = altPayout !== (stored.payoutCents ?? null);

    // The fee: the intake rules of the stored version and of the candidate on the same application.
    const application = await (o.applications ?? applicationInFacts(stored.facts))(stored.caseId);
    const authority = service.authorities[stored.authorityId];
    let fees: { stored: { cents: number; rules: Amounts }; alt: { cents: number; rules: Amounts } } | undefined;
    if (application && authority) {
      const intakeFacts = service.intakeFacts({
        application,
        authority,
        submittedOn: stored.submittedAt.toISOString().slice(0, 10),
      });
      fees = {
        stored: await feeOf(await storedRuleSet(stored.ruleSetVersion), intakeFacts),
        alt: await feeOf(o.ruleSet, intakeFacts),
      };
    } else {
      report.feeUnknown++;
      report.feeUnknownCases.push(stored.caseId);
    }
    const feeChanged = fees !== undefined && fees.stored.cents !== fees.alt.cents;
    if (!outcomeChanged && !payoutChanged && !feeChanged) continue;

    const before = new Map<string, string>(stored.firedRules.map((r) => [r.ruleId, r.outcome]));
    const after = new Map<string, string>(alt.firedRules.map((r) => [r.ruleId, r.outcome]));
    // Fee rules take part only when the fee changed: a fee rule that fires under both with the same amount made no difference.
    if (feeChanged) {
      for (const [r, cents] of fees!.stored.rules) before.set(r, `fee ${cents}`);
      for (const [r, cents] of fees!.alt.rules) after.set(r, `fee ${cents}`);
    }
    const rulesAdded = [...after.keys()].filter((r) => !before.has(r)).sort();
    const rulesRemoved = [...before.keys()].filter((r) => !after.has(r)).sort();
    const rulesChanged = [...after.keys()].filter((r) => before.has(r) && before.get(r) !== after.get(r)).sort();
    if (outcomeChanged) {
      report.outcomeChanged++;
      const t = `${stored.outcome}→${alt.outcome}`;
      report.transitions[t] = (report.transitions[t] ?? 0) + 1;
    }
    if (payoutChanged) report.payoutChanged++;
    if (feeChanged) report.feeChanged++;
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
        feeCents: fees?.stored.cents ?? null,
        ruleSetVersion: stored.ruleSetVersion,
      },
      alternative: { outcome: alt.outcome, payoutCents: altPayout, feeCents: fees?.alt.cents ?? null },
      rulesAdded,
      rulesRemoved,
      rulesChanged,
      changes: [
        ...(outcomeChanged ? (['outcome'] as const) : []),
        ...(feeChanged ? (['fee'] as const) : []),
        ...(payoutChanged ? (['payout'] as const) : []),
      ],
    });
  }
  return report;
}

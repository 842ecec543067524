import type { Decision, DecisionOutcome, FiredRule } from '../workflows/contracts/case.js';
import type { RuleSet } from './rule-set.js';
import { runRules } from './run-rules.js';

// A rejection outweighs a doubt, and a doubt outweighs an approval.
const precedence: DecisionOutcome[] = ['reject', 'escalate', 'approve'];

/** Decides deterministically: the same facts under the same rule set always give the same decision. */
export async function decide(ruleSet: RuleSet, facts: Record<string, unknown>): Promise<Decision> {
  const fired = await runRules(ruleSet, facts);
  const firedRules: FiredRule[] = [];
  let payoutCents: number | undefined;
  const forwardTo: string[] = [];
  for (const { rule, reads } of fired) {
    const e = rule.event;
    if (
      e.type === 'approve' ||
      e.type === 'reject' ||
      e.type === 'escalate' ||
      e.type === 'forward' ||
      e.type === 'payout'
    ) {
      firedRules.push({
        ruleId: rule.name,
        outcome: e.type,
        reason: e.params.reason,
        legalBasis: e.params.legalBasis,
        reads,
      });
    }
    if (e.type === 'forward') forwardTo.push(e.params.recipient);
    if (e.type === 'payout') {
      const base = Number(facts[e.params.ofFact] ?? 0);
      payoutCents = Math.min(Math.floor((base * e.params.percent) / 100), e.params.maxCents);
    }
  }

  const outcome = precedence.find((o) => firedRules.some((f) => f.outcome === o)) ?? 'escalate';
  if (!firedRules.some((f) => f.outcome === outcome)) firedRules.unshift(noRuleDecided);
  return {
    outcome,
    ruleSetVersion: ruleSet.version,
    ruleSetHash: ruleSet.hash,
    firedRules,
    facts,
    decidedBy: 'rules',
    ...(payoutCents !== undefined && { payoutCents }),
    ...(forwardTo.length > 0 && { forwardTo }),
  };
}

const noRuleDecided: FiredRule = {
  ruleId: 'no-rule-decided',
  outcome: 'escalate',
  reason: 'Keine Regel hat entschieden; der Fall geht an eine Sachbearbeiterin oder einen Sachbearbeiter.',
  legalBasis: '§ 35a VwVfG',
};

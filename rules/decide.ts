import { Engine } from 'json-rules-engine';
import type { Decision, DecisionOutcome, FiredRule } from '../contracts/case.js';
import type { RuleEventParams, RuleSet } from './rule-set.js';

// A rejection outweighs a doubt, and a doubt outweighs an approval.
const precedence: DecisionOutcome[] = ['reject', 'escalate', 'approve'];

/** Decides deterministically: the same facts under the same rule set always give the same decision. */
export async function decide(ruleSet: RuleSet, facts: Record<string, unknown>): Promise<Decision> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const rule of ruleSet.rules) engine.addRule(rule);
  const { results } = await engine.run({ ...facts });

  const fired: FiredRule[] = results
    .map((r) => {
      const params = r.event?.params as RuleEventParams;
      return { ruleId: String(r.name), outcome: r.event?.type as DecisionOutcome, reason: params.reason, legalBasis: params.legalBasis };
    })
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId));

  const outcome = precedence.find((o) => fired.some((f) => f.outcome === o)) ?? 'escalate';
  return {
    outcome,
    ruleSetVersion: ruleSet.version,
    ruleSetHash: ruleSet.hash,
    firedRules: fired.length > 0 ? fired : [noRuleDecided],
    facts,
    decidedBy: 'rules',
  };
}

const noRuleDecided: FiredRule = {
  ruleId: 'no-rule-decided',
  outcome: 'escalate',
  reason: 'Keine Regel hat entschieden; der Fall geht an eine Sachbearbeiterin oder einen Sachbearbeiter.',
  legalBasis: '§ 35a VwVfG',
};

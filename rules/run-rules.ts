import { Engine, type NestedCondition, type TopLevelCondition } from 'json-rules-engine';
import type { Rule, RuleSet } from './rule-set.js';

export interface Fired {
  rule: Rule;
  /** Names of the facts the rule's conditions read, for the explanation. */
  reads: string[];
}

/** Runs every rule of the set over the facts and returns those that fired, ordered by rule name for stable output. */
export async function runRules(ruleSet: RuleSet, facts: Record<string, unknown>): Promise<Fired[]> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const rule of ruleSet.rules) engine.addRule(rule);
  const { results } = await engine.run({ ...facts });
  const byName = new Map(ruleSet.rules.map((r) => [r.name, r]));
  return results
    .map((r) => byName.get(String(r.name))!)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((rule) => ({ rule, reads: [...factsRead(rule.conditions)].sort() }));
}

/** Names of the facts a rule's conditions read. */
export const factsReadBy = (c: TopLevelCondition): string[] => [...factsRead(c)].sort();

function factsRead(c: TopLevelCondition | NestedCondition, into = new Set<string>()): Set<string> {
  const nested = 'all' in c ? c.all : 'any' in c ? c.any : 'not' in c ? [c.not] : undefined;
  if (nested) for (const n of nested) factsRead(n, into);
  else if ('fact' in c) into.add(c.fact);
  return into;
}

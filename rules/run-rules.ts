import { Engine, type NestedCondition, type TopLevelCondition } from 'json-rules-engine';
import type { Rule, RuleSet } from './rule-set.js';

export interface Fired {
  rule: Rule;
  /** Names of the facts the rule's conditions read, for the explanation. */
  reads: string[];
}

/** What a rule set needs at every run, built once per rule set version: the rules by name with the facts they read, and idle engines. */
interface Compiled {
  byName: Map<string, Fired>;
  // An engine keeps one run status for all its runs, so concurrent runs must not share one: each takes an idle engine.
  idle: Engine[];
}

// Rule files are immutable once released (see rule-set.ts), so the hash identifies a version for good.
const compiled = new Map<string, Compiled>();

function compile(ruleSet: RuleSet): Compiled {
  let c = compiled.get(ruleSet.hash);
  if (!c) {
    c = {
      byName: new Map(
        ruleSet.rules.map((rule) => [rule.name, { rule, reads: [...factsRead(rule.conditions)].sort() }]),
      ),
      idle: [],
    };
    compiled.set(ruleSet.hash, c);
  }
  return c;
}

function buildEngine(ruleSet: RuleSet): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const rule of ruleSet.rules) engine.addRule(rule);
  return engine;
}

/** Runs every rule of the set over the facts and returns those that fired, ordered by rule name for stable output. */
export async function runRules(ruleSet: RuleSet, facts: Record<string, unknown>): Promise<Fired[]> {
  const c = compile(ruleSet);
  const engine = c.idle.pop() ?? buildEngine(ruleSet);
  try {
    const { results } = await engine.run({ ...facts });
    return results
      .map((r) => c.byName.get(String(r.name))!)
      .sort((a, b) => a.rule.name.localeCompare(b.rule.name))
      .map((f) => ({ ...f, reads: [...f.reads] }));
  } finally {
    c.idle.push(engine);
  }
}

/** Names of the facts a rule's conditions read. */
export const factsReadBy = (c: TopLevelCondition): string[] => [...factsRead(c)].sort();

function factsRead(c: TopLevelCondition | NestedCondition, into = new Set<string>()): Set<string> {
  const nested = 'all' in c ? c.all : 'any' in c ? c.any : 'not' in c ? [c.not] : undefined;
  if (nested) for (const n of nested) factsRead(n, into);
  else if ('fact' in c) into.add(c.fact);
  return into;
}

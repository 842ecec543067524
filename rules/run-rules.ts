import { Engine, type NestedCondition, type TopLevelCondition } from 'json-rules-engine';
import type { Rule, RuleSet } from './rule-set.js';

export interface Fired {
  rule: Rule;
  /** Names of the facts the rule's conditions read, for the explanation. */
  reads: string[];
}

type Facts = Record<string, unknown>;
type Test = (facts: Facts) => boolean;

/**
 * What a rule set needs at every run, built once per rule set version and hash: the rules with the facts they read,
 * and either a compiled, synchronous test per rule or (for conditions outside the compiled subset) idle engines.
 */
interface Compiled {
  rules: Array<Fired & { test?: Test }>;
  byName: Map<string, Fired>;
  /** Every rule compiled: no json-rules-engine run, no promise per condition. */
  compiled: boolean;
  // An engine keeps one run status for all its runs, so concurrent runs must not share one: each takes an idle engine.
  idle: Engine[];
}

// Rule files are immutable once released (see rule-set.ts): id, version and hash identify a rule set for good.
const cache = new Map<string, Compiled>();

function compile(ruleSet: RuleSet): Compiled {
  const key = `${ruleSet.ruleSetId}@${ruleSet.version}#${ruleSet.hash}`;
  let c = cache.get(key);
  if (!c) {
    const rules = [...ruleSet.rules]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((rule) => ({
        rule,
        reads: [...factsRead(rule.conditions)].sort(),
        test: compileCondition(rule.conditions),
      }));
    c = {
      rules,
      byName: new Map(rules.map((r) => [r.rule.name, { rule: r.rule, reads: r.reads }])),
      compiled: rules.every((r) => r.test !== undefined),
      idle: [],
    };
    cache.set(key, c);
  }
  return c;
}

function buildEngine(ruleSet: RuleSet): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const rule of ruleSet.rules) engine.addRule(rule);
  return engine;
}

/**
 * Runs every rule of the set over the facts and returns those that fired, ordered by rule name for stable output.
 * Rule sets within the compiled subset (all/any/not over facts compared with json-rules-engine's default operators
 * and literal values) are decided synchronously with exactly the engine's semantics; others run on the engine.
 */
export async function runRules(ruleSet: RuleSet, facts: Facts): Promise<Fired[]> {
  const c = compile(ruleSet);
  if (c.compiled) return firedOf(c, facts);
  return runOnEngine(ruleSet, facts);
}

/** The compiled evaluation alone, synchronous; undefined when the rule set needs the engine. */
export function runRulesCompiled(ruleSet: RuleSet, facts: Facts): Fired[] | undefined {
  const c = compile(ruleSet);
  return c.compiled ? firedOf(c, facts) : undefined;
}

const firedOf = (c: Compiled, facts: Facts): Fired[] => {
  const fired: Fired[] = [];
  for (const r of c.rules) if (r.test!(facts)) fired.push({ rule: r.rule, reads: [...r.reads] });
  return fired;
};

/** The rule set on json-rules-engine itself: the reference the compiled rules must agree with (see rules.test.ts). */
export async function runOnEngine(ruleSet: RuleSet, facts: Facts): Promise<Fired[]> {
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

// json-rules-engine's default operators (engine-default-operators.js), with their fact-value validators.
const isNumber = (v: unknown) => Number.parseFloat(v as string).toString() !== 'NaN';
const OPERATORS: Record<string, (a: unknown, b: unknown) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => isNumber(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => isNumber(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => isNumber(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => isNumber(a) && (a as number) >= (b as number),
};

/**
 * A condition as a plain function, or undefined when it uses what the compiled subset leaves to the engine
 * (condition references, paths, params, fact-valued right-hand sides, custom operators).
 * Evaluating the subset cannot throw, so short-circuiting gives the engine's results.
 */
function compileCondition(c: TopLevelCondition | NestedCondition): Test | undefined {
  const cond = c as Record<string, unknown>;
  if ('all' in cond || 'any' in cond) {
    const parts = ((cond.all ?? cond.any) as NestedCondition[]).map(compileCondition);
    if (!Array.isArray(cond.all ?? cond.any) || parts.some((p) => p === undefined)) return undefined;
    const tests = parts as Test[];
    if (tests.length === 0) return () => true;
    return 'all' in cond ? (f) => tests.every((t) => t(f)) : (f) => tests.some((t) => t(f));
  }
  if ('not' in cond) {
    const inner = compileCondition(cond.not as NestedCondition);
    return inner && ((f) => !inner(f));
  }
  if ('condition' in cond || 'path' in cond || 'params' in cond || typeof cond.fact !== 'string') return undefined;
  const op = OPERATORS[cond.operator as string];
  const value = cond.value;
  if (!op) return undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return undefined;
  if ((cond.operator === 'in' || cond.operator === 'notIn') && !Array.isArray(value)) return undefined;
  const fact = cond.fact;
  return (f) => op(Object.hasOwn(f, fact) ? f[fact] : undefined, value);
}

/** Names of the facts a rule's conditions read. */
export const factsReadBy = (c: TopLevelCondition): string[] => [...factsRead(c)].sort();

function factsRead(c: TopLevelCondition | NestedCondition, into = new Set<string>()): Set<string> {
  const nested = 'all' in c ? c.all : 'any' in c ? c.any : 'not' in c ? [c.not] : undefined;
  if (nested) for (const n of nested) factsRead(n, into);
  else if ('fact' in c) into.add(c.fact);
  return into;
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RuleProperties } from 'json-rules-engine';
import type { DecisionOutcome } from '../contracts/case.js';

interface Cited {
  reason: string;
  legalBasis: string;
}

/** What a rule does when it fires. Intake rules read the application; decision rules also read the evidence. */
export type RuleEvent =
  | { type: DecisionOutcome; params: Cited }
  | { type: 'payout'; params: Cited & { percent: number; maxCents: number; ofFact: string } }
  | { type: 'forward'; params: Cited & { recipient: string } }
  | { type: 'fee'; params: Cited & { amountCents: number } }
  | { type: 'require-evidence'; params: Cited & { evidenceType: string } }
  | { type: 'implausible'; params: { pointer: string; code: string; message: string; messageEn: string; legalBasis?: string } };

export type Rule = RuleProperties & { name: string; event: RuleEvent };

export interface RuleSet {
  ruleSetId: string;
  version: string;
  validFrom: string;
  rules: Rule[];
  /** SHA-256 of the rule file as committed: proves which rules decided a case. */
  hash: string;
}

const rulesDir = fileURLToPath(new URL('.', import.meta.url));
const cache = new Map<string, Promise<RuleSet>>();

export class UnknownRuleSetError extends Error {}

let released: Record<string, string> | undefined;

/** The SHA-256 a released rule file must keep (rules/released.json); a case pins it at submission. */
export function releasedRuleSetHash(ruleSetId: string, version: string): string | undefined {
  released ??= JSON.parse(readFileSync(`${rulesDir}released.json`, 'utf8')) as Record<string, string>;
  return released[`${ruleSetId}/v${version}.json`];
}

/** Loads a versioned rule set; files are immutable once released, so caching by id and version is safe. */
export function loadRuleSet(ruleSetId: string, version: string): Promise<RuleSet> {
  if (!/^[a-z0-9-]+$/.test(ruleSetId) || !/^[0-9]+$/.test(version)) {
    return Promise.reject(new UnknownRuleSetError(`invalid rule set reference ${ruleSetId}@${version}`));
  }
  const key = `${ruleSetId}@${version}`;
  let ruleSet = cache.get(key);
  if (!ruleSet) {
    ruleSet = readRuleSet(ruleSetId, version);
    cache.set(key, ruleSet);
    ruleSet.catch(() => cache.delete(key));
  }
  return ruleSet;
}

async function readRuleSet(ruleSetId: string, version: string): Promise<RuleSet> {
  let bytes: Buffer;
  try {
    bytes = await readFile(`${rulesDir}${ruleSetId}/v${version}.json`);
  } catch {
    throw new UnknownRuleSetError(`no rule set ${ruleSetId} version ${version}`);
  }
  const parsed = JSON.parse(bytes.toString('utf8')) as Omit<RuleSet, 'hash'>;
  if (parsed.ruleSetId !== ruleSetId || parsed.version !== version) {
    throw new UnknownRuleSetError(`rule file ${ruleSetId}/v${version}.json declares ${parsed.ruleSetId}@${parsed.version}`);
  }
  return { ...parsed, hash: createHash('sha256').update(bytes).digest('hex') };
}

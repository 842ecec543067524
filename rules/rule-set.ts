import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleProperties } from 'json-rules-engine';
import type { DecisionOutcome } from '../workflows/contracts/case.js';

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
  | {
      type: 'implausible';
      params: { pointer: string; code: string; message: string; messageEn: string; legalBasis?: string };
    };

export type Rule = RuleProperties & { name: string; event: RuleEvent };

export interface RuleSet {
  ruleSetId: string;
  version: string;
  validFrom: string;
  rules: Rule[];
  /** SHA-256 of the rule file as committed: proves which rules decided a case. */
  hash: string;
}

// The manifest of released rule files (rules/released.json), beside this module.
const rulesDir = fileURLToPath(new URL('./', import.meta.url));
const cache = new Map<string, Promise<RuleSet>>();
// Rule sets of services loaded from their own folders; the samples' sit in services/samples/<id>/rules.
const dirs = new Map<string, string>();

/** Where a service folder keeps its rule set; one folder per rule set id. */
export function registerRuleSetDir(ruleSetId: string, dir: string): void {
  const known = dirs.get(ruleSetId);
  if (known !== undefined && known !== dir)
    throw new UnknownRuleSetError(`rule set ${ruleSetId} is already served from another folder`);
  dirs.set(ruleSetId, dir);
}

// The samples' rule folders are linked from rules/<id> (services/samples/<id>/rules), next to other built-in rule sets.
const ruleFile = (ruleSetId: string, version: string) =>
  join(dirs.get(ruleSetId) ?? join(rulesDir, ruleSetId), `v${version}.json`);

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
    bytes = await readFile(ruleFile(ruleSetId, version));
  } catch {
    throw new UnknownRuleSetError(`no rule set ${ruleSetId} version ${version}`);
  }
  const parsed = JSON.parse(bytes.toString('utf8')) as Omit<RuleSet, 'hash'>;
  if (parsed.ruleSetId !== ruleSetId || parsed.version !== version) {
    throw new UnknownRuleSetError(
      `rule file ${ruleSetId}/v${version}.json declares ${parsed.ruleSetId}@${parsed.version}`,
    );
  }
  return { ...parsed, hash: createHash('sha256').update(bytes).digest('hex') };
}

/** A rule file not (yet) released, e.g. the next version a what-if tries; hashed like a released one. */
export async function readRuleSetFile(file: string): Promise<RuleSet> {
  const bytes = await readFile(file);
  const parsed = JSON.parse(bytes.toString('utf8')) as Omit<RuleSet, 'hash'>;
  if (typeof parsed.ruleSetId !== 'string' || typeof parsed.version !== 'string' || !Array.isArray(parsed.rules)) {
    throw new UnknownRuleSetError(`${file} is not a rule set (ruleSetId, version, rules)`);
  }
  return { ...parsed, hash: createHash('sha256').update(bytes).digest('hex') };
}

import type { Database } from '../db/client.js';
import { listDecisions } from '../db/queries/decisions.js';
import { percentile } from '../demo/stats.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';

/** Decision evaluation alone: the stored facts of finished cases decided again, many times, under their own rule set. */
export async function decisionTimes(db: Database, caseIds: string[], rounds = 20): Promise<{ p50: number; p99: number; runs: number }> {
  const stored = (await Promise.all(caseIds.map((caseId) => listDecisions(db, { caseId })))).flat();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const d of stored) {
      const ruleSet = await loadRuleSet(d.ruleSetId, d.ruleSetVersion);
      const t = performance.now();
      await decide(ruleSet, d.facts as Record<string, unknown>);
      times.push(performance.now() - t);
    }
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), runs: times.length };
}

import type { Database } from '../db/client.js';
import { listDecisions } from '../db/queries/decisions.js';
import { percentile } from '../dev/demo/stats.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';

/** The rule set and facts of finished cases' stored decisions. */
export async function storedDecisions(db: Database, caseIds: string[]) {
  return (await Promise.all(caseIds.map((caseId) => listDecisions(db, { caseId }))))
    .flat()
    .map((d) => ({ ruleSetId: d.ruleSetId, version: d.ruleSetVersion, facts: d.facts as Record<string, unknown> }));
}

/** Decision evaluation alone: stored facts decided again, many times, under their own rule set; the first round warms up. */
export async function decisionTimes(
  stored: Awaited<ReturnType<typeof storedDecisions>>,
  rounds = 40,
): Promise<{ p50: number; p99: number; runs: number }> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const d of stored) {
      const ruleSet = await loadRuleSet(d.ruleSetId, d.version);
      const t = performance.now();
      await decide(ruleSet, d.facts);
      if (r > 0) times.push(performance.now() - t);
    }
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), runs: times.length };
}

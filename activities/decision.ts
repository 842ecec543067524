import type { Decision, EvidenceResult } from '../contracts/case.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';
import { findService } from '../services/catalogue.js';

export interface DecideInput {
  serviceKey: string;
  ruleSetVersion: string;
  application: Record<string, unknown>;
  evidence: EvidenceResult[];
}

export function createDecisionActivities() {
  return {
    /** Runs the rule set version pinned at submission over facts built from application and evidence only. */
    async decideCase(i: DecideInput): Promise<Decision> {
      const service = findService(i.serviceKey);
      const ruleSet = await loadRuleSet(service.ruleSet.id, i.ruleSetVersion);
      return decide(ruleSet, service.decisionFacts(i.application, i.evidence));
    },
  };
}

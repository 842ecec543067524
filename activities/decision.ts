import type { Decision, EvidenceResult } from '../contracts/case.js';
import { effectKey } from '../contracts/ids.js';
import { recordDecision } from '../db/queries/decisions.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet } from '../rules/rule-set.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

export interface DecideInput {
  caseId: string;
  serviceKey: string;
  ruleSetVersion: string;
  application: Record<string, unknown>;
  evidence: EvidenceResult[];
}

export function createDecisionActivities({ db }: ActivityDeps) {
  return {
    /** Runs the rule set version pinned at submission over facts built from application and evidence only, and stores the explanation. */
    async decideCase(i: DecideInput): Promise<Decision> {
      const service = findService(i.serviceKey);
      const ruleSet = await loadRuleSet(service.ruleSet.id, i.ruleSetVersion);
      const decision = await decide(ruleSet, service.decisionFacts(i.application, i.evidence));
      await recordDecision(db, { idempotencyKey: effectKey(i.caseId, 'decision'), caseId: i.caseId, serviceKey: i.serviceKey, ruleSetId: ruleSet.ruleSetId, decision });
      return decision;
    },
  };
}

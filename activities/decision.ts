import { ApplicationFailure } from '@temporalio/common';
import type { ApplicationSource, Decision, EvidenceResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { recordDecision } from '../db/queries/decisions.js';
import { decide } from '../rules/decide.js';
import { loadRuleSet, UnknownRuleSetError, type RuleSet } from '../rules/rule-set.js';
import { findService } from '../services/catalogue.js';
import { applicationFrom } from './antrag.js';
import type { ActivityDeps } from './deps.js';

export interface DecideInput extends ApplicationSource {
  caseId: string;
  serviceKey: string;
  ruleSetVersion: string;
  /** The hash pinned at submission; the rules that decide must be exactly these. */
  ruleSetSha256?: string;
  evidence: EvidenceResult[];
}

export function createDecisionActivities({ db }: ActivityDeps) {
  return {
    /** Runs the rule set version pinned at submission over facts built from application and evidence only, and stores the explanation. */
    async decideCase(i: DecideInput): Promise<Decision> {
      const service = findService(i.serviceKey);
      const ruleSet = await pinnedRuleSet(service.ruleSet.id, i.ruleSetVersion, i.ruleSetSha256);
      const decision = await decide(ruleSet, service.decisionFacts(await applicationFrom(db, i), i.evidence));
      await recordDecision(db, {
        idempotencyKey: effectKey(i.caseId, 'decision'),
        caseId: i.caseId,
        serviceKey: i.serviceKey,
        ruleSetId: ruleSet.ruleSetId,
        decision,
      });
      return decision;
    },
  };
}

/** The rule set the case pinned, or a non-retryable failure for an operator: retrying cannot bring back the released file. */
export async function pinnedRuleSet(ruleSetId: string, version: string, sha256: string | undefined): Promise<RuleSet> {
  const ruleSet = await loadRuleSet(ruleSetId, version).catch((e: unknown) => {
    throw e instanceof UnknownRuleSetError ? ApplicationFailure.nonRetryable(e.message, 'UnknownRuleSet') : e;
  });
  if (sha256 && ruleSet.hash !== sha256) {
    throw ApplicationFailure.nonRetryable(
      `rule set ${ruleSetId}@${version} has hash ${ruleSet.hash}, the case pinned ${sha256}`,
      'RuleSetChanged',
    );
  }
  return ruleSet;
}

import { TRUST_LEVELS, type IdentityAssertion, type IdentityCheckResult, type ValidationResult } from '../contracts/case.js';
import { findService, planFor } from '../services/catalogue.js';
import type { CasePlan } from '../services/types.js';
import { checkApplication } from '../services/validate-application.js';

export interface ApplicationRef {
  serviceKey: string;
  authorityId: string;
  schemaVersion: string;
  ruleSetVersion: string;
  application: unknown;
  submittedAt: string;
}

const check = (i: ApplicationRef) =>
  checkApplication({ ...i, service: findService(i.serviceKey), submittedOn: i.submittedAt.slice(0, 10) });

/** Reading the catalogue and checking the application against the pinned versions: pure lookups, no external effects. */
export function createIntakeActivities() {
  return {
    async planCase(i: ApplicationRef): Promise<CasePlan> {
      return planFor(findService(i.serviceKey), i.authorityId, (await check(i)).assessment);
    },

    async validateApplication(i: ApplicationRef): Promise<ValidationResult> {
      const { valid, errors } = await check(i);
      return { valid, errors };
    },

    async checkIdentity(i: { serviceKey: string; identity: IdentityAssertion }): Promise<IdentityCheckResult> {
      return checkTrustLevel(i.serviceKey, i.identity);
    },
  };
}

export function checkTrustLevel(serviceKey: string, identity: IdentityAssertion): IdentityCheckResult {
  const service = findService(serviceKey);
  const required = service.minimumTrustLevel;
  const actual = identity.trustLevel;
  if (identity.representation && !service.representationAllowed) {
    return { sufficient: false, required, actual, reason: 'Für diese Leistung ist eine Antragstellung in Vertretung nicht vorgesehen.' };
  }
  return { sufficient: TRUST_LEVELS.indexOf(actual) >= TRUST_LEVELS.indexOf(required), required, actual };
}

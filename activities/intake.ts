import { TRUST_LEVELS, type IdentityAssertion, type IdentityCheckResult, type ValidationResult } from '../contracts/case.js';
import { findService, planFor } from '../services/catalogue.js';
import type { CasePlan } from '../services/types.js';
import { validateApplication } from '../services/validate-application.js';

/** Reading the catalogue and checking the application: pure lookups, no external effects. */
export function createIntakeActivities() {
  return {
    async planCase({ serviceKey, authorityId }: { serviceKey: string; authorityId: string }): Promise<CasePlan> {
      return planFor(findService(serviceKey), authorityId);
    },

    async validateApplication(i: { serviceKey: string; schemaVersion: string; application: unknown }): Promise<ValidationResult> {
      return validateApplication(findService(i.serviceKey), i.schemaVersion, i.application);
    },

    async checkIdentity(i: { serviceKey: string; identity: IdentityAssertion }): Promise<IdentityCheckResult> {
      const required = findService(i.serviceKey).minimumTrustLevel;
      const actual = i.identity.trustLevel;
      return { sufficient: TRUST_LEVELS.indexOf(actual) >= TRUST_LEVELS.indexOf(required), required, actual };
    },
  };
}

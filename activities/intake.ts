import type {
  ApplicationSource,
  IdentityAssertion,
  IdentityCheckResult,
  ValidationResult,
} from '../workflows/contracts/case.js';
import { assessSubmission, checkTrustLevel, refusalReasons, type Submission } from '../services/assess-submission.js';
import { findService, planFor } from '../services/catalogue.js';
import type { CasePlan } from '../services/types.js';
import { checkApplication } from '../services/validate-application.js';
import { applicationFrom } from './antrag.js';
import type { ActivityDeps } from './deps.js';

/** What the case's intake step is handed: the submission, with the application by its Akte reference. */
export type AssessCaseInput = Omit<Submission, 'application'> & ApplicationSource & { caseId?: string };

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
export function createIntakeActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** The whole intake in one step: the plan, or the reasons the case is refused. */
    async assessCase(
      s: AssessCaseInput,
    ): Promise<{ plan: CasePlan; refusalReasons?: undefined } | { plan?: undefined; refusalReasons: string[] }> {
      const { caseId: _caseId, antrag: _antrag, ...submission } = s;
      const a = await assessSubmission({ ...submission, application: await applicationFrom(db, s) });
      return a.refusal ? { refusalReasons: refusalReasons(a.refusal) } : { plan: a.plan };
    },

    // planCase, validateApplication and checkIdentity: for cases started before assessCase (workflows/legacy).
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

export { checkTrustLevel };

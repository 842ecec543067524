import {
  TRUST_LEVELS,
  type FieldError,
  type IdentityAssertion,
  type IdentityCheckResult,
} from '../workflows/contracts/case.js';
import { findService, planFor } from './catalogue.js';
import type { CasePlan, ServiceDefinition } from './types.js';
import { checkApplication } from './validate-application.js';

/** Why intake turns an application away: a machine code, the HTTP status the API answers with, the citizen's text. */
export interface IntakeRefusal {
  code: 'representation_not_allowed' | 'trust_level_too_low' | 'invalid_application';
  httpStatus: 403 | 422;
  message: string;
  errors: FieldError[];
}

/** The one home of intake's refusal texts, for the API's answer and for the refusal Bescheid alike. */
export const REFUSAL_TEXTS = {
  representationNotAllowed: 'Für diese Leistung ist eine Antragstellung in Vertretung nicht vorgesehen.',
  trustLevelTooLow: (actual: string, required: string) =>
    `Das Vertrauensniveau Ihrer Anmeldung (${actual}) reicht für diese Leistung nicht aus; erforderlich ist mindestens ${required}.`,
  invalidApplication: 'Der Antrag enthält Fehler.',
} as const;

export interface Submission {
  serviceKey: string;
  authorityId: string;
  schemaVersion: string;
  ruleSetVersion: string;
  application: unknown;
  submittedAt: string;
  identity: IdentityAssertion;
}

export function checkTrustLevel(
  serviceOrKey: ServiceDefinition | string,
  identity: IdentityAssertion,
): IdentityCheckResult {
  const service = typeof serviceOrKey === 'string' ? findService(serviceOrKey) : serviceOrKey;
  const required = service.minimumTrustLevel;
  const actual = identity.trustLevel;
  if (identity.representation && !service.representationAllowed)
    return { sufficient: false, required, actual, reason: REFUSAL_TEXTS.representationNotAllowed };
  const sufficient = TRUST_LEVELS.indexOf(actual) >= TRUST_LEVELS.indexOf(required);
  return {
    sufficient,
    required,
    actual,
    ...(!sufficient && { reason: REFUSAL_TEXTS.trustLevelTooLow(actual, required) }),
  };
}

/**
 * Intake, assessed once: identity and mandate, schema and plausibility rules, and from the same rule run the case's plan
 * (evidence, fee, deadlines). The API refuses with it before a case exists; the case runs it again in one step.
 */
export async function assessSubmission(
  s: Submission,
  service: ServiceDefinition = findService(s.serviceKey),
): Promise<{ refusal: IntakeRefusal } | { refusal?: undefined; plan: CasePlan }> {
  const identity = checkTrustLevel(service, s.identity);
  if (!identity.sufficient) {
    const code =
      identity.reason === REFUSAL_TEXTS.representationNotAllowed ? 'representation_not_allowed' : 'trust_level_too_low';
    return { refusal: { code, httpStatus: 403, message: identity.reason!, errors: [] } };
  }
  const check = await checkApplication({ ...s, service, submittedOn: s.submittedAt.slice(0, 10) });
  if (!check.valid)
    return {
      refusal: {
        code: 'invalid_application',
        httpStatus: 422,
        message: REFUSAL_TEXTS.invalidApplication,
        errors: check.errors,
      },
    };
  return { plan: planFor(service, s.authorityId, check.assessment) };
}

/** A refusal as the lines of the refusal Bescheid. */
export const refusalReasons = (r: IntakeRefusal): string[] =>
  r.errors.length > 0 ? r.errors.map((e) => `${e.pointer}: ${e.message}`) : [r.message];

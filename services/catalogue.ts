import { completeService } from './define-service.js';
import anwohnerparkenAuthorities from './samples/anwohnerparken/authorities.json' with { type: 'json' };
import { anwohnerparken } from './samples/anwohnerparken/service.js';
import gewerbeanmeldungAuthorities from './samples/gewerbeanmeldung/authorities.json' with { type: 'json' };
import { gewerbeanmeldung } from './samples/gewerbeanmeldung/service.js';
import lastenradAuthorities from './samples/lastenrad-foerderung/authorities.json' with { type: 'json' };
import { lastenradFoerderung } from './samples/lastenrad-foerderung/service.js';
import { hundesteuer } from './hundesteuer.js';
import { LAENDER, type AuthoritySettings, type CasePlan, type ServiceDefinition } from './types.js';
import type { IntakeAssessment } from '../rules/assess-intake.js';

/** The samples, completed from their folders as any service folder is (services/samples/<rule set id>/). */
export const sampleServices = {
  anwohnerparken: completeService(anwohnerparken, { authorities: authoritiesOf(anwohnerparkenAuthorities) }),
  lastenradFoerderung: completeService(lastenradFoerderung, { authorities: authoritiesOf(lastenradAuthorities) }),
  gewerbeanmeldung: completeService(gewerbeanmeldung, { authorities: authoritiesOf(gewerbeanmeldungAuthorities) }),
};

/** An `authorities.json` as typed JSON gives it (the Land a plain string), checked where TypeScript cannot. */
function authoritiesOf(
  json: Record<string, Omit<AuthoritySettings, 'land'> & { land?: string }>,
): Record<string, AuthoritySettings> {
  for (const [id, a] of Object.entries(json))
    if (a.land !== undefined && !(LAENDER as readonly string[]).includes(a.land))
      throw new Error(`authority ${id}: unknown Land ${a.land}`);
  return json as Record<string, AuthoritySettings>;
}

// The dog-tax sample's schema is imported from a FIM Stammdatenschema (services/fim/).
const services: ServiceDefinition[] = [...Object.values(sampleServices), hundesteuer];

export class DuplicateServiceError extends Error {}

/** Adds a service loaded from a team's folder (see service-folder.ts); its key must be new. */
export function registerService(service: ServiceDefinition): void {
  if (services.some((s) => s.key === service.key))
    throw new DuplicateServiceError(`service key ${service.key} is already in the catalogue`);
  services.push(service);
}

export class UnknownServiceError extends Error {
  constructor(readonly serviceKey: string) {
    super(`Unknown service "${serviceKey}"`);
  }
}

export class UnknownAuthorityError extends Error {
  constructor(
    readonly serviceKey: string,
    readonly authorityId: string,
  ) {
    super(`Authority "${authorityId}" does not offer service "${serviceKey}"`);
  }
}

export function listServices(): readonly ServiceDefinition[] {
  return services;
}

export function findService(serviceKey: string): ServiceDefinition {
  const service = services.find((s) => s.key === serviceKey);
  if (!service) throw new UnknownServiceError(serviceKey);
  return service;
}

export function findAuthority(service: ServiceDefinition, authorityId: string): AuthoritySettings {
  const authority = Object.hasOwn(service.authorities, authorityId) ? service.authorities[authorityId] : undefined;
  if (!authority) throw new UnknownAuthorityError(service.key, authorityId);
  return authority;
}

/** The rule set version in force on a day (YYYY-MM-DD): the latest released one valid from that day or earlier. */
export function ruleSetVersionOn(service: ServiceDefinition, day: string): string {
  const inForce = service.ruleSet.versions
    .filter((v) => v.validFrom <= day)
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  const version = inForce.at(-1) ?? service.ruleSet.versions[0];
  if (!version) throw new Error(`service ${service.key} has no rule set version`);
  return version.version;
}

/** The shared definition, the authority's overlay and what the rules computed from the application, in one plan. */
export function planFor(service: ServiceDefinition, authorityId: string, assessment: IntakeAssessment): CasePlan {
  const authority = findAuthority(service, authorityId);
  return {
    minimumTrustLevel: service.minimumTrustLevel,
    evidence: service.evidence.filter((e) => assessment.requiredEvidence.includes(e.evidenceType)),
    feeTiming: service.fee.timing,
    feeCents: assessment.feeCents,
    feeRules: assessment.feeRules.map(({ ruleId, amountCents, legalBasis }) => ({ ruleId, amountCents, legalBasis })),
    sealIdentity: authority.sealIdentity,
    deadlines: authority.deadlines ?? {},
    fourEyes: { ...service.escalation, ...authority.escalation }.fourEyes,
    candidateGroup: candidateGroupFor(service, authorityId, 'review_decision'),
    refundOnRejection: service.fee.refundOn?.includes('rejected') ?? false,
    refundOnWithdrawal: service.fee.refundOn?.includes('withdrawn') ?? false,
    ...(service.steps?.length && { steps: service.steps }),
    ...(service.lifecycle?.fiction && { fiction: service.lifecycle.fiction }),
  };
}

/** Where a task kind goes when a service names no group for it. */
const DEFAULT_TASK_GROUPS: Record<string, string> = { deliver_manually: 'poststelle' };

/**
 * The candidate group of a task of `kind` in `authorityId` (`<authority>:<group>`), as the service declares it: the
 * decision task (`review_decision`) by `escalation.candidateGroup`, other kinds by `escalation.taskGroups`, each
 * overridable by the authority's overlay.
 */
export function candidateGroupFor(service: ServiceDefinition, authorityId: string, kind: string): string {
  const overlay = Object.hasOwn(service.authorities, authorityId)
    ? service.authorities[authorityId]?.escalation
    : undefined;
  const policy = { ...service.escalation, ...overlay };
  const named = { ...service.escalation.taskGroups, ...overlay?.taskGroups }[kind];
  const group =
    kind === 'review_decision' ? policy.candidateGroup : (named ?? DEFAULT_TASK_GROUPS[kind] ?? 'sachbearbeitung');
  return `${authorityId}:${group}`;
}

/** `candidateGroupFor` by service key; an unknown service's tasks go to the kind's default group. */
export function candidateGroupOf(serviceKey: string, authorityId: string, kind: string): string {
  const service = listServices().find((s) => s.key === serviceKey);
  if (service) return candidateGroupFor(service, authorityId, kind);
  return `${authorityId}:${DEFAULT_TASK_GROUPS[kind] ?? 'sachbearbeitung'}`;
}

/** The machine-readable catalogue entry portals read: everything but the code. */
export function describeService(s: ServiceDefinition) {
  return {
    key: s.key,
    name: s.name,
    legalBasis: s.legalBasis,
    minimumTrustLevel: s.minimumTrustLevel,
    representationAllowed: s.representationAllowed,
    currentSchemaVersion: s.currentSchemaVersion,
    schemas: s.schemas,
    evidence: s.evidence,
    fee: s.fee,
    ruleSet: s.ruleSet,
    escalation: s.escalation,
    outputs: s.outputs,
    authorities: Object.entries(s.authorities).map(([id, a]) => ({
      id,
      name: a.name,
      contact: a.contact,
      feeAccount: a.feeAccount,
      sealIdentity: a.sealIdentity,
      postalCodes: a.postalCodes,
      deadlines: a.deadlines ?? {},
    })),
  };
}

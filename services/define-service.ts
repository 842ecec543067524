import type { EvidenceResult } from '../workflows/contracts/case.js';
import { postalCodeInMunicipality } from './fact-helpers.js';
import type { AuthoritySettings, IntakeContext, ServiceDefinition } from './types.js';

/**
 * A service as its team writes it (`service.ts`): authorities, rule set and facts may come from the folder
 * (`authorities/*.json`, `rules/v<N>.json`) and the declarative defaults instead of code.
 */
export type ServiceInput = Omit<
  ServiceDefinition,
  'authorities' | 'ruleSet' | 'intakeFacts' | 'decisionFacts' | 'schemas' | 'currentSchemaVersion' | 'legalRemedy'
> & {
  authorities?: Record<string, AuthoritySettings>;
  /** Default: `schema.json` of the folder as version 1. */
  schemas?: ServiceDefinition['schemas'];
  currentSchemaVersion?: string;
  /** Default: `texts.json` of the folder. */
  legalRemedy?: string;
  /** Defaults to the folder's name and the versions found in `rules/`, each valid from its file's `validFrom`. */
  ruleSet?: Partial<ServiceDefinition['ruleSet']>;
  intakeFacts?: ServiceDefinition['intakeFacts'];
  decisionFacts?: ServiceDefinition['decisionFacts'];
};

/** Types a service definition; the engine completes it from the service's folder when it loads it. */
export function defineService<const S extends ServiceInput>(service: S): S {
  return service;
}

/** The facts rules may read when a service declares no `intakeFacts` (conditions use `path`, e.g. `$.zone`). */
export const DEFAULT_INTAKE_FACTS = ['application', 'submittedOn', 'postalCodeInMunicipality'] as const;
/** The facts rules may read when a service declares no `decisionFacts`: `evidence` is keyed by evidence type. */
export const DEFAULT_DECISION_FACTS = ['application', 'evidence'] as const;

export function defaultIntakeFacts({ application, authority, submittedOn }: IntakeContext): Record<string, unknown> {
  return { application, submittedOn, postalCodeInMunicipality: postalCodeInMunicipality(application, authority) };
}

export function defaultDecisionFacts(
  application: Record<string, unknown>,
  evidence: EvidenceResult[],
): Record<string, unknown> {
  return {
    application,
    evidence: Object.fromEntries(evidence.map((e) => [e.evidenceType, { status: e.status, ...e.facts }])),
  };
}

/** Fills what the folder provides: its authorities (they win over inline ones), rule set and the default facts. */
export function completeService(
  input: ServiceInput,
  folder: { authorities?: Record<string, AuthoritySettings>; ruleSet?: ServiceDefinition['ruleSet'] } = {},
): ServiceDefinition {
  const ruleSet = { ...folder.ruleSet, ...input.ruleSet };
  return {
    schemas: {},
    currentSchemaVersion: '1',
    legalRemedy: '',
    ...input,
    authorities: { ...input.authorities, ...folder.authorities },
    ruleSet: { id: ruleSet.id ?? '', versions: ruleSet.versions ?? [] },
    intakeFacts: input.intakeFacts ?? defaultIntakeFacts,
    decisionFacts: input.decisionFacts ?? defaultDecisionFacts,
  };
}

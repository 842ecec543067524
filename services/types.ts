import type { EvidenceResult, FeeTiming, TrustLevel } from '../contracts/case.js';

export interface EvidenceRequirement {
  evidenceType: string;
  register: string;
  /** Why the authority needs it; shown in the applicant's transparency log and requests. */
  purpose: string;
  /** The document an applicant would otherwise bring, in plain language. */
  document: string;
  /** Whether the register may only be asked with the applicant's consent. */
  consentRequired: boolean;
  /** What happens when the register cannot deliver: ask the applicant (and what after the deadline), or leave it to a case worker. */
  ifMissing: { ask: 'applicant'; afterDeadline: 'decide' | 'close_incomplete' } | { ask: 'case_worker' };
}

export interface AuthoritySettings {
  name: string;
  feeAccount: string;
  contact: string;
}

/** A service (Leistung) as a Fachverfahren team declares it: data the engine reads, not code it forks. */
export interface ServiceDefinition {
  key: string;
  name: string;
  legalBasis: string;
  minimumTrustLevel: TrustLevel;
  /** JSON Schema (draft 2020-12) of the application data, by version. */
  schemas: Record<string, object>;
  currentSchemaVersion: string;
  evidence: EvidenceRequirement[];
  fee: { timing: FeeTiming; amountCents: number };
  /** Rule set directory under rules/ and the version new cases are pinned to. */
  ruleSet: { id: string; currentVersion: string };
  authorities: Record<string, AuthoritySettings>;
  /** Rechtsbehelfsbelehrung printed on every Bescheid. */
  legalRemedy: string;
  /** Turns the application and the evidence into the facts the rules read. Must be pure. */
  decisionFacts(application: Record<string, unknown>, evidence: EvidenceResult[]): Record<string, unknown>;
}

/** What the workflow needs to know about its service; resolved once by an activity and kept in history. */
export interface CasePlan {
  minimumTrustLevel: TrustLevel;
  evidence: EvidenceRequirement[];
  feeTiming: FeeTiming;
}

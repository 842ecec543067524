import type { EvidenceResult, FeeTiming, TrustLevel } from '../contracts/case.js';

export interface EvidenceRequirement {
  evidenceType: string;
  register: string;
  purpose: string;
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
  /** Words people use for it (for the service finder), e.g. "Anwohnerparkausweis". */
  synonyms?: string[];
  /** One or two plain sentences on what the service is for (for the service finder). */
  description?: string;
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

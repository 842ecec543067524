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
  /** How long the archive keeps a closed case (Aufbewahrungsfrist), recorded in its archive package. */
  retentionYears: number;
  /** Rechtsbehelfsbelehrung printed on every Bescheid. */
  legalRemedy: string;
  /** The certificate an approval comes with (e.g. the permit itself), printed as a page of the sealed Bescheid. */
  certificate?: {
    title: string;
    validYears: number;
    /** Label and value pairs from the application. Must be pure. */
    fields(application: Record<string, unknown>): Array<[label: string, value: string]>;
  };
  /** Turns the application and the evidence into the facts the rules read. Must be pure. */
  decisionFacts(application: Record<string, unknown>, evidence: EvidenceResult[]): Record<string, unknown>;
}

/** What the workflow needs to know about its service; resolved once by an activity and kept in history. */
export interface CasePlan {
  minimumTrustLevel: TrustLevel;
  evidence: EvidenceRequirement[];
  feeTiming: FeeTiming;
}

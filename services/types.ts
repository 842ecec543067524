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
  /** Overrides the service's escalation policy for this authority. */
  escalation?: EscalationPolicy;
}

/** How escalated cases are worked; `fourEyes`: a second, different case worker confirms every decision. */
export interface EscalationPolicy {
  fourEyes?: boolean;
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
  escalation?: EscalationPolicy;
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
  fourEyes: boolean;
}

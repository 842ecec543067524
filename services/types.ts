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
  fee: FeePolicy;
  /** Rule set directory under rules/ and the version new cases are pinned to. */
  ruleSet: { id: string; currentVersion: string };
  authorities: Record<string, AuthoritySettings>;
  /** Rechtsbehelfsbelehrung printed on every Bescheid. */
  legalRemedy: string;
  /** Turns the application and the evidence into the facts the rules read. Must be pure. */
  decisionFacts(application: Record<string, unknown>, evidence: EvidenceResult[]): Record<string, unknown>;
}

/** Amounts in integer cents. `payout` pays the amount to the IBAN in the application field `payeeIbanField`. */
export interface FeePolicy {
  timing: FeeTiming;
  amountCents: number;
  /** When a fee paid in advance is paid back. */
  refundOn?: Array<'rejected' | 'withdrawn'>;
  payeeIbanField?: string;
}

/** What the workflow needs to know about its service; resolved once by an activity and kept in history. */
export interface CasePlan {
  minimumTrustLevel: TrustLevel;
  evidence: EvidenceRequirement[];
  feeTiming: FeeTiming;
  refundOnRejection?: boolean;
}

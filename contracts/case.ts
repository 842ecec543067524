// Types shared by workflow, activities, database, client and API. Imports nothing heavy:
// the workflow bundle includes this file.

/** Where a case stands. One closed list; the database enum and the search attribute use it too. */
export const CASE_STATUSES = [
  'received',
  'validating',
  'checking_identity',
  'fetching_evidence',
  'collecting_fee',
  'deciding',
  'awaiting_case_worker',
  'issuing_bescheid',
  'sealing',
  'delivering',
  'archiving',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** How a closed case ended. `refused` means the application could not be processed (invalid, trust level too low). */
export const CASE_OUTCOMES = ['approved', 'rejected', 'refused'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const TRUST_LEVELS = ['low', 'substantial', 'high'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** Acting for another person or a company, as the identity provider attests it. Ids only, no names. */
export interface Representation {
  representedSubject: string;
  kind: 'person' | 'organisation';
  mandateId: string;
}

/** The applicant's identity as verified at intake. The subject is a pseudonymous id, never a name. */
export interface IdentityAssertion {
  subject: string;
  trustLevel: TrustLevel;
  /** Issuer of the verified token; absent where a Fachverfahren submits through the typed client. */
  issuer?: string;
  representation?: Representation;
}

export interface CaseInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Schema version the application was submitted under. */
  schemaVersion: string;
  /** Rule set version pinned at submission; later rule changes never touch this case. */
  ruleSetVersion: string;
  submittedAt: string;
  identity: IdentityAssertion;
  application: Record<string, unknown>;
  /** Durations as milliseconds, so tests can use seconds. */
  deadlines?: Partial<CaseDeadlines>;
}

export interface CaseDeadlines {
  /** How long a case worker has before the supervisor group is notified. */
  caseWorkerMs: number;
}

export const DEFAULT_DEADLINES: CaseDeadlines = { caseWorkerMs: 14 * 24 * 3600_000 };

export interface FieldError {
  /** JSON pointer into the application (RFC 6901). */
  pointer: string;
  /** Stable machine code. */
  code: string;
  /** German, for the citizen. */
  message: string;
  messageEn?: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: FieldError[];
}

export interface IdentityCheckResult {
  sufficient: boolean;
  required: TrustLevel;
  actual: TrustLevel;
  /** Why it is not sufficient, when the trust level is not the reason. */
  reason?: string;
}

export type EvidenceStatus = 'found' | 'not_found' | 'unavailable';

export interface EvidenceResult {
  evidenceType: string;
  register: string;
  status: EvidenceStatus;
  /** Facts the rules may read; the full register answer is stored by reference. */
  facts: Record<string, unknown>;
  ref?: DocumentRef;
}

/** Large things travel by reference with their SHA-256, never inside workflow payloads. */
export interface DocumentRef {
  sha256: string;
  mediaType: string;
  size: number;
}

export type FeeTiming = 'none' | 'in_advance' | 'after_decision' | 'payout';

export interface FeeResult {
  status: 'paid' | 'not_required';
  amountCents: number;
  currency: 'EUR';
  /** The Kassenzeichen the payment was booked under. */
  reference?: string;
}

export type DecisionOutcome = 'approve' | 'reject' | 'escalate';

/** What a fired rule contributes: a decision, or an amount or recipient the decision carries. */
export type RuleEffect = DecisionOutcome | 'payout' | 'forward';

export interface FiredRule {
  ruleId: string;
  outcome: RuleEffect;
  reason: string;
  legalBasis: string;
  /** Names of the facts the rule's conditions read. */
  reads?: string[];
}

export interface Decision {
  outcome: DecisionOutcome;
  ruleSetVersion: string;
  ruleSetHash: string;
  firedRules: FiredRule[];
  facts: Record<string, unknown>;
  decidedBy: 'rules' | { caseWorker: string };
  /** Grant to pay out when approved, computed by the rules. */
  payoutCents?: number;
  /** Authorities the case data goes to when approved (e.g. Finanzamt). */
  forwardTo?: string[];
}

export interface CaseWorkerDecision {
  taskId: string;
  caseWorker: string;
  outcome: 'approve' | 'reject';
  justification: string;
}

export interface SealResult {
  document: DocumentRef;
  signature: string;
  keyId: string;
  algorithm: string;
}

export interface DeliveryResult {
  deliveryId: string;
  channel: string;
  deliveredAt: string;
}

export interface ArchiveResult {
  packageSha256: string;
  location: string;
}

/** What `caseState` answers while the case runs and after it closed. */
export interface CaseState {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  status: CaseStatus;
  outcome?: CaseOutcome;
  decision?: Decision;
  openTaskId?: string;
  history: Array<{ status: CaseStatus; at: string }>;
}

export interface CaseResult {
  caseId: string;
  outcome: CaseOutcome;
  decision?: Decision;
  bescheid: SealResult;
  delivery: DeliveryResult;
  archive: ArchiveResult;
}

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
  'paying_out',
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

/** The applicant's identity as asserted at intake. The subject is a pseudonymous id, never a name. */
export interface IdentityAssertion {
  subject: string;
  trustLevel: TrustLevel;
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
  /** How long the applicant has to pay a fee; past it an advance fee cancels the case, a later fee goes to dunning. */
  feePaymentMs: number;
  /** When an unpaid fee's applicant gets one reminder. */
  feeReminderMs: number;
  /** How often the provider is asked when no webhook came. */
  paymentPollMs: number;
}

export const DEFAULT_DEADLINES: CaseDeadlines = {
  caseWorkerMs: 14 * 24 * 3600_000,
  feePaymentMs: 14 * 24 * 3600_000,
  feeReminderMs: 7 * 24 * 3600_000,
  paymentPollMs: 15 * 60_000,
};

export interface FieldError {
  pointer: string;
  code: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: FieldError[];
}

export interface IdentityCheckResult {
  sufficient: boolean;
  required: TrustLevel;
  actual: TrustLevel;
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

/** Money is integer cents with its currency; never a float. */
export type Currency = 'EUR';

export interface FeeResult {
  /** `unpaid`: the deadline passed without payment. `refunded`: paid, then paid back. */
  status: 'paid' | 'not_required' | 'unpaid' | 'refunded';
  amountCents: number;
  currency: Currency;
  /** The Kassenzeichen the payment was booked under. */
  reference?: string;
  /** The provider's reference of the refund, when the fee was paid back. */
  refundReference?: string;
}

/** What the provider answers about one fee transaction. */
export type PaymentStatus = 'open' | 'paid' | 'failed' | 'abandoned' | 'cancelled';

export type FeeRequest =
  | { status: 'not_required' }
  | { status: 'open'; transactionId: string; paymentPageUrl: string; amountCents: number; currency: Currency };

export interface PayoutResult {
  payoutId: string;
  amountCents: number;
  currency: Currency;
  /** The provider's transaction reference of the transfer. */
  reference: string;
}

export type DecisionOutcome = 'approve' | 'reject' | 'escalate';

export interface FiredRule {
  ruleId: string;
  outcome: DecisionOutcome;
  reason: string;
  legalBasis: string;
}

export interface Decision {
  outcome: DecisionOutcome;
  ruleSetVersion: string;
  ruleSetHash: string;
  firedRules: FiredRule[];
  facts: Record<string, unknown>;
  decidedBy: 'rules' | { caseWorker: string };
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
  /** The fee the applicant is asked to pay, with the page to pay it on. */
  payment?: { amountCents: number; currency: Currency; paymentPageUrl: string; status: 'open' | 'paid' | 'unpaid' };
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

// Types shared by workflow, activities, database, client and API. Imports nothing heavy:
// the workflow bundle includes this file.
import type { TaskView } from './task.js';

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
  /** How long a case worker has (the Frist) before the task escalates to the supervisor group. */
  caseWorkerMs: number;
  /** How long before that due date the reminder (Wiedervorlage) fires. */
  caseWorkerReminderMs: number;
  /** How long the case waits for the applicant's reply to a question. */
  applicantReplyMs: number;
}

export const DEFAULT_DEADLINES: CaseDeadlines = {
  caseWorkerMs: 14 * 24 * 3600_000,
  caseWorkerReminderMs: 2 * 24 * 3600_000,
  applicantReplyMs: 14 * 24 * 3600_000,
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

export interface FeeResult {
  status: 'paid' | 'not_required';
  amountCents: number;
  currency: 'EUR';
  /** The Kassenzeichen the payment was booked under. */
  reference?: string;
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
  decidedBy: 'rules' | { caseWorker: string; confirmedBy?: string };
}

export interface CaseWorkerDecision {
  taskId: string;
  caseWorker: string;
  outcome: 'approve' | 'reject';
  justification: string;
  /** The second, different case worker who confirmed under four-eyes. */
  confirmedBy?: string;
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
  /** The open (or last) case-worker task, with the applicant's open question if any. */
  task?: TaskView;
  /** Pseudonymous subject of the applicant, so only they see their case. */
  applicantSubject: string;
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

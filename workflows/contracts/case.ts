// Types shared by workflow, activities, database, client and API. Imports nothing heavy:
// the workflow bundle includes this file.
import type { TaskView } from './task.js';

/** Where a case stands. One closed list; the database enum and the search attribute use it too. */
export const CASE_STATUSES = [
  'received',
  'validating',
  'checking_identity',
  'fetching_evidence',
  'awaiting_applicant',
  'collecting_fee',
  'deciding',
  'awaiting_case_worker',
  'paying_out',
  'issuing_bescheid',
  'sealing',
  'delivering',
  'archiving',
  'closed',
  // Added later (appended: the database enum keeps its order).
  'hearing',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * How a closed case ended. `refused` means the application could not be processed (invalid, trust level too low);
 * `incomplete` means evidence the applicant was asked for did not arrive by the deadline; `withdrawn` means the applicant
 * withdrew the application before the decision was issued; `approved_by_fiction` means no decision came before the
 * service's period ended, so the approval counts as granted (§ 42a VwVfG) and the applicant got its certificate.
 */
export const CASE_OUTCOMES = [
  'approved',
  'rejected',
  'refused',
  'incomplete',
  'withdrawn',
  'approved_by_fiction',
] as const;
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
  /** The person's name as the identity provider attests it (OIDC given_name/family_name), for addressing the Bescheid. */
  name?: PersonName;
}

export interface PersonName {
  givenName: string;
  familyName: string;
}

export interface CaseInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Schema version the application was submitted under. */
  schemaVersion: string;
  /** Rule set version pinned at submission; later rule changes never touch this case. */
  ruleSetVersion: string;
  /** SHA-256 of that rule file as released, pinned at submission; absent in cases started before pinning. */
  ruleSetSha256?: string;
  submittedAt: string;
  /** From the Akte on: the subject, trust level and mandate only; the name stays in the Akte. */
  identity: IdentityAssertion;
  /** The application itself: only in cases started before the Akte (the claim-check); new cases carry `antrag`. */
  application?: Record<string, unknown>;
  /** Where the case's Akte holds the application as submitted (claim-check); absent in cases from before the Akte. */
  antrag?: AntragRef;
  /** The applicant's consent; a register the service needs consent for is never called without it. */
  consent?: Consent;
  /** Durations as milliseconds, so tests can use seconds. */
  deadlines?: Partial<CaseDeadlines>;
}

/**
 * The Antrag in the case's Akte (one per case, so the case id names its entry in the document index) by the SHA-256 of
 * its canonical JSON (RFC 8785): the claim-check every step hands on instead of the application.
 */
export interface AntragRef {
  sha256: string;
}

/** How an activity gets the application: by reference to the Akte, or inline in cases started before it. */
export interface ApplicationSource {
  caseId?: string;
  application?: Record<string, unknown>;
  antrag?: AntragRef;
}

/** What a case's activities are handed of its application: the reference where there is one, never both. */
export const applicationSourceOf = (i: ApplicationSource): Omit<ApplicationSource, 'caseId'> =>
  i.antrag ? { antrag: i.antrag } : { application: i.application };

export interface Consent {
  /** Consent to fetch evidence from registers instead of uploading it (once-only). */
  evidenceRetrieval: boolean;
}

export interface CaseDeadlines {
  /** How long a case worker has (the Frist) before the task escalates to the supervisor group. */
  caseWorkerMs: number;
  /** After a request for missing evidence: when the applicant is reminded. */
  evidenceReminderMs: number;
  /** After a request for missing evidence: when the service's policy for missing evidence applies. */
  evidenceDeadlineMs: number;
  /** First pause between register calls; it doubles on each retry. */
  registerRetryInitialMs: number;
  /** Register calls per piece of evidence before it counts as unavailable. */
  registerMaxAttempts: number;
  /** How long delivery to the applicant keeps retrying before a person takes it over as a task. */
  deliveryGiveUpMs: number;
  /** How long the applicant has to pay a fee; past it an advance fee cancels the case, a later fee goes to dunning. */
  feePaymentMs: number;
  /** When an unpaid fee's applicant gets one reminder. */
  feeReminderMs: number;
  /** How often the provider is asked when no webhook came. */
  paymentPollMs: number;
  /** How long before that due date the reminder (Wiedervorlage) fires. */
  caseWorkerReminderMs: number;
  /** How long the case waits for the applicant's reply to a question. */
  applicantReplyMs: number;
  /**
   * How long one legal day lasts for the timers of the legal lifecycle (waiting for retrieval from the postbox):
   * a day in production; shorter in development and tests (LEGAL_DAY_MS), where time moves by configuration.
   */
  legalDayMs: number;
}

export const DEFAULT_DEADLINES: CaseDeadlines = {
  caseWorkerMs: 14 * 24 * 3600_000,
  evidenceReminderMs: 10 * 24 * 3600_000,
  evidenceDeadlineMs: 14 * 24 * 3600_000,
  registerRetryInitialMs: 1_000,
  registerMaxAttempts: 5,
  deliveryGiveUpMs: 24 * 3600_000,
  feePaymentMs: 14 * 24 * 3600_000,
  feeReminderMs: 7 * 24 * 3600_000,
  paymentPollMs: 15 * 60_000,
  caseWorkerReminderMs: 2 * 24 * 3600_000,
  applicantReplyMs: 14 * 24 * 3600_000,
  legalDayMs: 24 * 3600_000,
};

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

/** `not_consented`: the register was not asked; `uploaded`: the applicant sent a document instead. */
export type EvidenceStatus = 'found' | 'not_found' | 'unavailable' | 'not_consented' | 'uploaded';

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

/** What the case asks the applicant for: what, why, until when, and whether it has arrived. */
export interface RequestedEvidence {
  evidenceType: string;
  /** The document asked for, in plain language (e.g. "Meldebescheinigung"). */
  document: string;
  purpose: string;
  dueAt: string;
  status: 'requested' | 'received' | 'expired';
}

/** A document the applicant uploaded for a requested piece of evidence, already checked and stored. */
export interface EvidenceUpload {
  evidenceType: string;
  document: DocumentRef;
  fileName: string;
}

export type FeeTiming = 'none' | 'in_advance' | 'after_decision' | 'payout';

/** Money is integer cents with its currency; never a float. */
export type Currency = 'EUR';

export interface FeeResult {
  /**
   * `unpaid`: the deadline passed without payment. `refunded`: paid, then paid back. `due`: requested again, to be
   * paid (a fee paid back on rejection, once an objection's remedy granted the application).
   */
  status: 'paid' | 'not_required' | 'unpaid' | 'refunded' | 'due';
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
  decidedBy: 'rules' | { caseWorker: string; confirmedBy?: string };
  /** Grant to pay out when approved, computed by the rules. */
  payoutCents?: number;
  /** Authorities the case data goes to when approved (e.g. Finanzamt). */
  forwardTo?: string[];
}

export interface CaseWorkerDecision {
  taskId: string;
  caseWorker: string;
  outcome: 'approve' | 'reject';
  /** Internal justification of the (first) case worker: filed as a Vermerk, never printed for the applicant. */
  justification: string;
  /** What the Bescheid prints under „Gründe“; absent in decisions made before it was asked for. */
  reasonsForApplicant?: string;
  /** The second, different case worker who confirmed under four-eyes. */
  confirmedBy?: string;
  /** The second person's internal approval record under four-eyes (a Vermerk, not a reason). */
  approval?: string;
}

/** What the applicant reads as the case worker's reason: her reasons for the citizen, never the internal justification. */
export const reasonForApplicant = (d: CaseWorkerDecision): string =>
  d.reasonsForApplicant?.trim() ||
  'Die Sachbearbeitung hat den Antrag und die Nachweise nach den genannten Rechtsgrundlagen geprüft.';

export interface SealResult {
  /** The sealed PDF: the signature is embedded in it. */
  document: DocumentRef;
  /** The unsealed rendering it was sealed from. */
  sourceSha256: string;
  /** Public id of the seal; the QR code's verification address ends with it. */
  sealId: string;
  verificationUrl: string;
  keyId: string;
  algorithm: string;
}

export interface DeliveryResult {
  /** `handed_over`: delivery kept failing until its deadline, and a task asks a person to deliver it. */
  status: 'delivered' | 'handed_over';
  /** The postbox's receipt, or the task id when handed over. */
  deliveryId: string;
  channel: string;
  deliveredAt?: string;
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
  /** Evidence the case asked the applicant for, while and after it waited. */
  requestedEvidence?: RequestedEvidence[];
  /** The fee the applicant is asked to pay, with the page to pay it on. */
  payment?: { amountCents: number; currency: Currency; paymentPageUrl: string; status: 'open' | 'paid' | 'unpaid' };
  /** The open (or last) case-worker task, with the applicant's open question if any. */
  task?: TaskView;
  /** Pseudonymous subject of the applicant, so only they see their case. */
  applicantSubject: string;
  history: Array<{ status: CaseStatus; at: string }>;
  /** The applicant withdrew the application (cases from WITHDRAWAL_PATCH on). */
  withdrawal?: { declaredAt: string; feeRefunded: boolean };
  /** The hearing before a rejection (§ 28 VwVfG; cases from HEARING_PATCH on, where the service declares it). */
  hearing?: HearingState;
  /** The period after which the approval counts as granted (§ 42a VwVfG), from the complete application on. */
  fiction?: FictionState;
}

/**
 * Where the hearing stands: waiting for the applicant's statement until `statementDueOn` (the authority's calendar
 * day, the whole day counts), closed (a case worker decides), or skipped by an exception of § 28 Abs. 2 VwVfG (`why`).
 */
export interface HearingState {
  status: 'awaiting_statement' | 'closed' | 'skipped';
  letterSentAt?: string;
  statementDueOn?: string;
  statementReceivedAt?: string;
  why?: string;
}

/** The applicant's statement in the hearing: text and checked, stored attachments; only the Akte keeps the text. */
export interface HearingStatement {
  /** Pseudonymous subject of the person making it; must be the case's applicant. */
  subject: string;
  text: string;
  attachments: Array<{ fileName: string } & DocumentRef>;
}

/** Where an approval by fiction stands (§ 42a VwVfG); dates are the authority's calendar days (`YYYY-MM-DD`). */
export interface FictionState {
  /** The day the complete application came in; the period runs from the day after. */
  startedOn: string;
  /** The period's last day (moved off weekends and the Land's holidays); the fiction occurs when it has passed. */
  endsOn: string;
  legalBasis: string;
  /** `running` until a decision came (`decided`) or the period passed without one (`occurred`). */
  state: 'running' | 'decided' | 'occurred';
  /** The one extension (§ 42a Abs. 2 Satz 3 VwVfG): the end it replaced, when and why. */
  extension?: { previousEndsOn: string; at: string; by: string; reason: string };
}

/** A case worker extends the fiction's period once, with a reason, by at most the service's maximum. */
export interface FictionExtensionRequest {
  /** Login id of the case worker (the API asserts it). */
  by: string;
  reason: string;
  period: { years?: number; months?: number; weeks?: number; days?: number };
}

/** Why a withdrawal is refused once the decision is being issued (the workflow's validator and the API say the same). */
export const WITHDRAWAL_TOO_LATE =
  'Der Antrag kann nicht mehr zurückgenommen werden: Über ihn ist bereits entschieden, der Bescheid wird erstellt oder ist erlassen.';

/** The applicant's declaration that they withdraw the application; `reason` is optional and goes only to the Akte. */
export interface WithdrawalRequest {
  /** Pseudonymous subject of the person declaring it; must be the case's applicant. */
  subject: string;
  reason?: string;
}

/** How a case withdrawn by its applicant ended: no Bescheid, a confirmation in the postbox. */
export interface WithdrawnCaseResult {
  caseId: string;
  outcome: 'withdrawn';
  declaredAt: string;
  /** The confirmation's receipt from the postbox. */
  confirmationDeliveryId: string;
  fee?: FeeResult;
}

/** What the case workflow returns: a decided case with its Bescheid, or a withdrawn one. */
export type CaseEnd = CaseResult | WithdrawnCaseResult;

/** A case that ended with a Bescheid. */
export interface CaseResult {
  caseId: string;
  outcome: CaseOutcome;
  decision?: Decision;
  bescheid: SealResult;
  delivery: DeliveryResult;
  archive: ArchiveResult;
}

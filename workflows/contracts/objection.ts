// Types of the objection procedure (Widerspruch, §§ 68-73 VwGO), shared by workflow, activities, client and API.
// Imports nothing heavy.

/** Where an objection stands. */
export const OBJECTION_STAGES = [
  /** The deciding authority reviews it (Abhilfeprüfung, § 72 VwGO). */
  'abhilfe',
  /** Not (fully) remedied: the objection authority decides (§ 73 VwGO). */
  'objection_authority',
  /** Remedied in full by a replacing Bescheid. */
  'remedied',
  /** Decided by a Widerspruchsbescheid. */
  'decided',
] as const;
export type ObjectionStage = (typeof OBJECTION_STAGES)[number];

/** What the objection workflow starts from: the case it objects to and the deadline check made at intake. */
export interface ObjectionInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject of the person objecting (the applicant or their representative). */
  objector: string;
  receivedAt: string;
  /** Received after the objection period ended (§ 70 VwGO): flagged for the case worker, not refused. */
  late: boolean;
  /** The last day of the period, where the Bekanntgabe is recorded. */
  periodEndsOn?: string;
  /** The Akte's Antrag, for a pay-out after a remedy (the IBAN is in the application). */
  antrag?: { sha256: string };
  /** Due time of each task, in ms (a legal day's length in tests times the days the authority allows). */
  taskDueInMs: number;
}

/** The deciding authority's review (Abhilfeprüfung, § 72 VwGO). */
export interface AbhilfeDecision {
  stage: 'abhilfe';
  /** Pseudonymous id of the case worker. */
  by: string;
  /** `remedy`: in full, a new Bescheid replaces the old one; `partial_remedy`: in part, the rest goes on (§ 72, § 73). */
  outcome: 'remedy' | 'partial_remedy' | 'no_remedy';
  /** The reasons, for the Bescheid that replaces the old one or for the objection authority. */
  reasons: string[];
  /** A late objection: the case worker grants reinstatement (Wiedereinsetzung, § 70 Abs. 2, § 60 VwGO). */
  reinstatement?: boolean;
  /** A pay-out service: the amount the remedy grants, paid out with the Abhilfebescheid (in cents). */
  payoutCents?: number;
}

/** The objection authority's decision (Widerspruchsbescheid, § 73 Abs. 1 and 3 VwGO). */
export interface WiderspruchsDecision {
  stage: 'objection_authority';
  by: string;
  /** `rejected`: the objection is dismissed; `granted` / `partly_granted`: the objection succeeds (in part). */
  outcome: 'rejected' | 'granted' | 'partly_granted';
  reasons: string[];
}

export type ObjectionDecision = AbhilfeDecision | WiderspruchsDecision;

/** What `objectionState` answers. */
export interface ObjectionState {
  caseId: string;
  stage: ObjectionStage;
  late: boolean;
  reinstated?: boolean;
  taskId: string;
  abhilfe?: AbhilfeDecision['outcome'];
  /** Paid out after a remedy, in cents. */
  payoutCents?: number;
  /** The sealed documents the procedure issued, by Akte document id. */
  documents: string[];
}

export interface ObjectionResult {
  caseId: string;
  stage: 'remedied' | 'decided';
  abhilfe: AbhilfeDecision['outcome'];
  widerspruch?: WiderspruchsDecision['outcome'];
  documents: string[];
}

/** The applicant's objection as the API takes it: reasons and attachments (checked, stored by SHA-256). */
export interface ObjectionFiling {
  caseId: string;
  /** Who files it: the applicant, or a representative acting for them (§ 14 VwVfG). */
  subject: string;
  representation?: { representedSubject: string; mandateId: string };
  reasons: string;
  attachments: Array<{ fileName: string; mediaType: string; sha256: string; size: number }>;
  /** Sent through FIT-Connect: the submission, so a repeated pickup of it is recognised (kept in the Akte). */
  fitConnectSubmissionId?: string;
}

/** The objection as recorded at intake. */
export interface ObjectionRecord {
  caseId: string;
  receivedAt: string;
  late: boolean;
  periodEndsOn?: string;
  stage: ObjectionStage;
}

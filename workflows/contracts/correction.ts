// Types of correcting a decision (Rücknahme, Widerruf, §§ 48, 49, 49a VwVfG), shared by workflow, activities, client
// and API. Imports nothing heavy.

/** `ruecknahme`: an unlawful decision (§ 48 VwVfG); `widerruf`: a lawful one (§ 49 VwVfG). */
export const CORRECTION_KINDS = ['ruecknahme', 'widerruf'] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

/** `ex_nunc`: from now on; `ex_tunc`: also for the past (§ 48 Abs. 1, § 49 Abs. 3 VwVfG). */
export const CORRECTION_EFFECTS = ['ex_nunc', 'ex_tunc'] as const;
export type CorrectionEffect = (typeof CORRECTION_EFFECTS)[number];

/** Where a correction stands. */
export const CORRECTION_STAGES = [
  /** Proposed; a second member of staff confirms or refuses it (four eyes). */
  'awaiting_confirmation',
  /** Refused by the second person: nothing was issued. */
  'refused',
  /** Confirmed: the Rücknahme- or Widerrufsbescheid is sealed and delivered, money reclaimed or refunded. */
  'issued',
] as const;
export type CorrectionStage = (typeof CORRECTION_STAGES)[number];

/** What a case worker proposes. */
export interface CorrectionProposal {
  kind: CorrectionKind;
  effect: CorrectionEffect;
  reasons: string[];
  /** A pay-out service: the amount to reclaim (§ 49a Abs. 1 VwVfG), at most what was paid out. */
  reclaimCents?: number;
  /** The amount of the paid fee to refund. */
  refundFeeCents?: number;
  /** The day the authority learned the facts that justify the correction; the one-year period runs from it (§ 48 Abs. 4). */
  knownSince?: string;
}

/** What the correction workflow starts from: the proposal as recorded, with the facts its steps need. */
export interface CorrectionInput extends CorrectionProposal {
  /** The correction's row; a case may see another proposal after one was refused. */
  correctionId: string;
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous id of the member of staff who proposed it. */
  proposedBy: string;
  proposedAt: string;
  /** Pseudonymous subject of the applicant, to whom the Bescheid goes. */
  addressee: string;
  /** The last day to pay a reclaimed amount back (§ 49a Abs. 1 Satz 2 VwVfG: fixed in the Bescheid). */
  reclaimDueOn?: string;
}

/** The second person's decision on the proposal. */
export interface CorrectionConfirmation {
  /** Pseudonymous id of the member of staff. */
  by: string;
  approve: boolean;
  /** Why it is refused (required then), or a note. */
  note?: string;
}

/** What `correctionState` answers. */
export interface CorrectionState {
  caseId: string;
  stage: CorrectionStage;
  kind: CorrectionKind;
  proposedBy: string;
  confirmedBy?: string;
  documentId?: string;
  reclaimedCents?: number;
  refundedCents?: number;
}

export interface CorrectionResult {
  caseId: string;
  stage: 'refused' | 'issued';
  documentId?: string;
}

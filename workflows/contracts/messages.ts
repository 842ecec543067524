import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentResolution } from './incidents.js';
import type {
  CaseState,
  EvidenceUpload,
  FictionExtensionRequest,
  HearingStatement,
  WithdrawalRequest,
} from './case.js';
import type { AnswerConfirmation, QuestionState } from './assistant.js';
import type { ApplicantReply, TaskAction, TaskView } from './task.js';
import type { ObjectionDecision, ObjectionState } from './objection.js';
import type { CorrectionConfirmation, CorrectionState } from './correction.js';

export const caseStateQuery = defineQuery<CaseState>('caseState');

/** Claim, unclaim, reassign, complete or ask: an update, so the caller learns at once whether it was accepted, and why not. */
export const taskActionUpdate = defineUpdate<TaskView, [TaskAction]>('taskAction');

/** The applicant's answer to an open question; refused unless it comes from the case's applicant. */
export const applicantReplyUpdate = defineUpdate<TaskView, [ApplicantReply]>('applicantReply');

/** A document the applicant uploaded for requested evidence; refused at once when the case is not waiting for it. */
export const uploadEvidenceUpdate = defineUpdate<CaseState, [EvidenceUpload]>('uploadEvidence');

/**
 * The applicant withdraws the application; refused once the decision is being issued (the Bescheid is on its way) or
 * when the caller is not the case's applicant. Accepted, the case ends as `withdrawn`.
 */
export const withdrawApplicationUpdate = defineUpdate<CaseState, [WithdrawalRequest]>('withdrawApplication');

/** The applicant's statement in the hearing before a rejection; refused unless the case waits for it. */
export const submitHearingStatementUpdate = defineUpdate<CaseState, [HearingStatement]>('submitHearingStatement');

/** A verified webhook says a payment transaction changed; the case then asks the provider for its status. */
export const paymentNotifiedSignal = defineSignal<[{ transactionId: string }]>('paymentNotified');

/** Where an applicant's question stands, with the machine draft (labelled) once it arrived. */
export const questionStateQuery = defineQuery<QuestionState>('questionState');

/** A case worker releases an answer: their id and the final text, the draft or their edit of it. */
export const confirmAnswerUpdate = defineUpdate<QuestionState, [AnswerConfirmation]>('confirmAnswer');

/** An operator resolves a case's open incident; the validator refuses an unknown incident or an action it does not offer. */
export const resolveIncidentUpdate = defineUpdate<IncidentResolution, [IncidentResolution]>('resolveIncident');

export const objectionStateQuery = defineQuery<ObjectionState>('objectionState');

/** A case worker's decision on an objection at its current stage; refused at another stage or by the wrong group. */
export const decideObjectionUpdate = defineUpdate<ObjectionState, [ObjectionDecision]>('decideObjection');

export const correctionStateQuery = defineQuery<CorrectionState>('correctionState');

/** The second person confirms or refuses a proposed Rücknahme or Widerruf; refused from the person who proposed it. */
export const confirmCorrectionUpdate = defineUpdate<CorrectionState, [CorrectionConfirmation]>('confirmCorrection');

/**
 * A case worker extends the period of an approval by fiction once (§ 42a Abs. 2 Satz 3 VwVfG); refused a second time,
 * after the period ended, without a reason or beyond the service's maximum. Accepted, the applicant gets a letter.
 */
export const extendFictionUpdate = defineUpdate<CaseState, [FictionExtensionRequest]>('extendFiction');

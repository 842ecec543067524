import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseState, CaseWorkerDecision } from './case.js';
import type { AnswerConfirmation, QuestionState } from './assistant.js';

export const caseStateQuery = defineQuery<CaseState>('caseState');

/** A case worker's decision on an escalated case. An update, so the caller learns at once whether it was accepted. */
export const decideCaseUpdate = defineUpdate<CaseState, [CaseWorkerDecision]>('decideCase');

/** Where an applicant's question stands, with the machine draft (labelled) once it arrived. */
export const questionStateQuery = defineQuery<QuestionState>('questionState');

/** A case worker releases an answer: their id and the final text, the draft or their edit of it. */
export const confirmAnswerUpdate = defineUpdate<QuestionState, [AnswerConfirmation]>('confirmAnswer');

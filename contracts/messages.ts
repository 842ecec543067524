import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseState, CaseWorkerDecision, EvidenceUpload } from './case.js';

export const caseStateQuery = defineQuery<CaseState>('caseState');

/** A case worker's decision on an escalated case. An update, so the caller learns at once whether it was accepted. */
export const decideCaseUpdate = defineUpdate<CaseState, [CaseWorkerDecision]>('decideCase');

/** A document the applicant uploaded for requested evidence; refused at once when the case is not waiting for it. */
export const uploadEvidenceUpdate = defineUpdate<CaseState, [EvidenceUpload]>('uploadEvidence');

/** A verified webhook says a payment transaction changed; the case then asks the provider for its status. */
export const paymentNotifiedSignal = defineSignal<[{ transactionId: string }]>('paymentNotified');

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseState, CaseWorkerDecision } from './case.js';

export const caseStateQuery = defineQuery<CaseState>('caseState');

/** A case worker's decision on an escalated case. An update, so the caller learns at once whether it was accepted. */
export const decideCaseUpdate = defineUpdate<CaseState, [CaseWorkerDecision]>('decideCase');

/** A verified webhook says a payment transaction changed; the case then asks the provider for its status. */
export const paymentNotifiedSignal = defineSignal<[{ transactionId: string }]>('paymentNotified');

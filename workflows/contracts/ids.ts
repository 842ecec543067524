export const TASK_QUEUE = 'ozg-cases';

/** The one place a workflow id is derived from a business key. */
export const caseWorkflowId = (caseId: string): string => `case:${caseId}`;

/** Idempotency keys for external effects derive from the case, so retries never repeat an effect. */
export const effectKey = (caseId: string, effect: string): string => `case:${caseId}:${effect}`;

/** An applicant's question to a case is its own small workflow, so the case never waits on it. */
export const questionWorkflowId = (caseId: string, questionId: string): string =>
  `case:${caseId}:question:${questionId}`;
export const caseSummaryWorkflowId = (caseId: string, taskId: string): string => `case:${caseId}:summary:${taskId}`;

/** The Bekanntgabe of a case's Bescheid is its own workflow, started as the case closes; one per case. */
export const bekanntgabeWorkflowId = (caseId: string): string => `case:${caseId}:bekanntgabe`;

/** The objection procedure against a case's decision is its own workflow; one per case, the case may be long closed. */
export const objectionWorkflowId = (caseId: string): string => `case:${caseId}:objection`;

/** Correcting a decision (Rücknahme, Widerruf) is its own workflow; one at a time per case, the case long closed. */
export const correctionWorkflowId = (caseId: string): string => `case:${caseId}:correction`;

export const TASK_QUEUE = 'ozg-cases';

/** The one place a workflow id is derived from a business key. */
export const caseWorkflowId = (caseId: string): string => `case:${caseId}`;

/** Idempotency keys for external effects derive from the case, so retries never repeat an effect. */
export const effectKey = (caseId: string, effect: string): string => `case:${caseId}:${effect}`;

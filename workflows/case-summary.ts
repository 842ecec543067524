import { log, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { applicationSourceOf, type CaseInput, type Decision } from './contracts/case.js';
import { caseSummaryWorkflowId } from './contracts/ids.js';
import type { CaseSummaryRequest } from './contracts/assistant.js';
import { HEARTBEAT_TIMEOUT } from './contracts/timeouts.js';
import { has, type CaseShape } from './case-shape.js';

// The activity itself falls back to the fact sheet when the model is slow or failing; a second try covers a lost worker.
const summarising = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 2 },
});

/** Writes the labelled summary for a case-worker task. Runs beside the case, which never waits for it. */
export async function caseSummaryWorkflow(i: CaseSummaryRequest): Promise<void> {
  await summarising.summariseForCaseWorker(i);
}

/** Starts the summary as an abandoned child: the case goes on at once, and a failing model cannot hold it. */
export async function startCaseSummary(
  input: CaseInput,
  taskId: string,
  escalation: Decision,
  shape: CaseShape,
): Promise<void> {
  if (!has(shape, 'assistant-case-summary')) return;
  try {
    await startChild(caseSummaryWorkflow, {
      workflowId: caseSummaryWorkflowId(input.caseId, taskId),
      args: [
        {
          caseId: input.caseId,
          taskId,
          serviceKey: input.serviceKey,
          subject: input.identity.subject,
          ...applicationSourceOf(input),
          escalation,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    log.warn('case summary not started', { taskId, error: String(err) });
  }
}

import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CaseDeadlines } from './contracts/case.js';
import { HEARTBEAT_TIMEOUT } from './contracts/timeouts.js';
import { handToCaseWorker, withIncidents } from './incidents.js';

/** The retry every ordinary activity of a case gets: quick at first, then once a minute. */
export const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/**
 * Activities of a case: side effects with their own retries; a killed worker's activity moves on after the heartbeat
 * timeout. A permanent failure becomes an incident for an operator (incidents.ts), not an endless retry.
 */
export const acts = withIncidents(
  proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY }),
);

/** Short, local steps inside a workflow task: the case's record, task projection, pure assessments. */
export const local = withIncidents(proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' }), {
  decideCase: handToCaseWorker,
});

/** Registers: a bounded retry budget, after which missing evidence is case data, not a failed case. */
export const registers = (d: CaseDeadlines) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      initialInterval: d.registerRetryInitialMs,
      backoffCoefficient: 2,
      maximumAttempts: d.registerMaxAttempts,
      nonRetryableErrorTypes: ['RegisterNotConfiguredError', 'NoConsent'],
    },
  });

/** The postbox: retried with backoff until a person takes over delivery. */
export const postbox = (giveUpAfterMs: number) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: giveUpAfterMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CaseDeadlines } from '../contracts/case.js';

/** The retry every ordinary activity of a case gets: quick at first, then once a minute. */
export const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/** Activities of a case: side effects with their own retries. */
export const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: RETRY });

/** Short, local steps inside a workflow task: the case's record, task projection, pure assessments. */
export const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/** Registers: a bounded retry budget, after which missing evidence is case data, not a failed case. */
export const registers = (d: CaseDeadlines) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: d.registerRetryInitialMs, backoffCoefficient: 2, maximumAttempts: d.registerMaxAttempts, nonRetryableErrorTypes: ['RegisterNotConfiguredError', 'NoConsent'] },
  });

/** The postbox: retried with backoff until a person takes over delivery. */
export const postbox = (giveUpAfterMs: number) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: giveUpAfterMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

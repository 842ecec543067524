import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RetentionReport } from '../activities/retention.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/** One retention run, started daily by the `retention` schedule; its result (ids and counts) stays in the history as the log. */
export async function retentionWorkflow(): Promise<RetentionReport> {
  return acts.enforceRetention({ asOf: new Date().toISOString() });
}

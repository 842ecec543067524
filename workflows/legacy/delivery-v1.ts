// Frozen: the delivery stage as cases started before the case journal run it (see case-workflow-v1.ts).
import { HEARTBEAT_TIMEOUT } from '../contracts/timeouts.js';
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { DeliveryResult, SealResult } from '../contracts/case.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: HEARTBEAT_TIMEOUT });

export interface DeliverInput {
  caseId: string;
  authorityId: string;
  recipient: string;
  bescheid: SealResult;
  /** How long delivery keeps retrying before a person takes over. */
  giveUpAfterMs: number;
}

/**
 * The delivery or the deadline: the postbox is retried with backoff until `giveUpAfterMs`; then a task asks the
 * authority to deliver another way, and the case records that, so a decision never silently fails to arrive.
 */
export async function deliverOrHandOver(
  i: DeliverInput,
  record: (event: string, data: Record<string, unknown>) => Promise<void>,
): Promise<DeliveryResult> {
  const postbox = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: i.giveUpAfterMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  try {
    return await postbox.deliverToApplicant({ caseId: i.caseId, recipient: i.recipient, bescheid: i.bescheid });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const taskId = `${i.caseId}:delivery`;
    const reason = `Zustellung des Bescheids an das Postfach gescheitert (${err.cause?.message ?? err.message}); bitte auf anderem Weg zustellen.`;
    await acts.handOverDelivery({
      taskId,
      caseId: i.caseId,
      authorityId: i.authorityId,
      reason,
      dueAt: new Date(Date.now() + 3 * 24 * 3600_000).toISOString(),
    });
    await record('delivery.handed_over', { taskId });
    return { status: 'handed_over', deliveryId: taskId, channel: 'task' };
  }
}

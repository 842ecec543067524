import { ActivityFailure } from '@temporalio/workflow';
import type { DeliveryResult, SealResult } from './contracts/case.js';
import { acts, postbox as postboxWith } from './activity-proxies.js';
import type { CaseBasics } from './case-journal.js';

/**
 * The delivery or the deadline: the postbox is retried with backoff until `giveUpAfterMs`; then a task asks the
 * authority to deliver another way, and the case records that, so a decision never silently fails to arrive.
 */
export async function deliverOrHandOver(c: CaseBasics, bescheid: SealResult): Promise<DeliveryResult> {
  const i = { caseId: c.input.caseId, authorityId: c.input.authorityId, recipient: c.input.identity.subject };
  const postbox = postboxWith(c.deadlines.deliveryGiveUpMs);
  try {
    return await postbox.deliverToApplicant({ ...i, bescheid });
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
    await c.journal.note('delivery.handed_over', { taskId });
    return { status: 'handed_over', deliveryId: taskId, channel: 'task' };
  }
}

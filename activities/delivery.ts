import type { DeliveryResult, SealResult } from '../contracts/case.js';
import { effectKey } from '../contracts/ids.js';
import type { ActivityDeps } from './deps.js';

export function createDeliveryActivities({ postbox }: ActivityDeps) {
  return {
    /** Delivers the sealed Bescheid once per case, however often the activity runs. */
    async deliverToApplicant(i: { caseId: string; recipient: string; bescheid: SealResult }): Promise<DeliveryResult> {
      const d = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, 'deliver-bescheid'),
        caseId: i.caseId,
        recipient: i.recipient,
        subject: `Bescheid zu Ihrem Antrag ${i.caseId}`,
        document: i.bescheid.document,
      });
      return { deliveryId: d.deliveryId, channel: d.channel, deliveredAt: d.deliveredAt.toISOString() };
    },
  };
}

import { createHash } from 'node:crypto';
import type { DeliveryResult, SealResult } from '../contracts/case.js';
import { effectKey } from '../contracts/ids.js';
import { recordDelivery } from '../db/queries/deliveries.js';
import type { ActivityDeps } from './deps.js';

/** Delivery into the applicant's postbox (sandbox: a table the applicant's portal reads), once per case. */
export function createDeliveryActivities({ db }: ActivityDeps) {
  return {
    async deliverToApplicant(i: { caseId: string; recipient: string; bescheid: SealResult }): Promise<DeliveryResult> {
      const idempotencyKey = effectKey(i.caseId, 'deliver-bescheid');
      const row = await recordDelivery(db, {
        idempotencyKey,
        deliveryId: createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24),
        caseId: i.caseId,
        recipient: i.recipient,
        channel: 'postbox',
        subject: `Bescheid zu Ihrem Antrag ${i.caseId}`,
        documentSha256: i.bescheid.document.sha256,
      });
      return { deliveryId: row.deliveryId, channel: row.channel, deliveredAt: row.deliveredAt.toISOString() };
    },
  };
}

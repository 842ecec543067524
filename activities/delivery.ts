import type { DeliveryResult, SealResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { getCase } from '../db/queries/cases.js';
import { createTask } from '../db/queries/tasks.js';
import { candidateGroupOf } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

export interface HandOverDeliveryInput {
  taskId: string;
  caseId: string;
  authorityId: string;
  reason: string;
  dueAt: string;
}

export function createDeliveryActivities({ db, postbox }: ActivityDeps) {
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
      return {
        status: 'delivered',
        deliveryId: d.deliveryId,
        channel: d.channel,
        deliveredAt: d.deliveredAt.toISOString(),
      };
    },

    /** A delivery that kept failing becomes work for the authority's mail room, never a silent loss. */
    async handOverDelivery(i: HandOverDeliveryInput): Promise<void> {
      const row = await getCase(db, { caseId: i.caseId });
      await createTask(db, {
        taskId: i.taskId,
        caseId: i.caseId,
        kind: 'deliver_manually',
        serviceKey: row?.serviceKey ?? 'unknown',
        authorityId: i.authorityId,
        candidateGroup: candidateGroupOf(row?.serviceKey ?? 'unknown', i.authorityId, 'deliver_manually'),
        reason: i.reason,
        dueAt: new Date(i.dueAt),
      });
    },
  };
}

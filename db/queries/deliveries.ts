import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { deliveries } from '../schema.js';

export interface RecordDeliveryParams {
  idempotencyKey: string;
  deliveryId: string;
  caseId: string;
  recipient: string;
  channel: string;
  subject: string;
  documentSha256: string;
}

/** Delivers once per key and returns the stored delivery, also on a retry. */
export async function recordDelivery(db: DbExecutor, p: RecordDeliveryParams) {
  await db.insert(deliveries).values(p).onConflictDoNothing({ target: deliveries.idempotencyKey });
  const [row] = await db
    .select({ deliveryId: deliveries.deliveryId, channel: deliveries.channel, deliveredAt: deliveries.deliveredAt })
    .from(deliveries)
    .where(eq(deliveries.idempotencyKey, p.idempotencyKey));
  if (!row) throw new Error(`delivery ${p.idempotencyKey} vanished after insert`);
  return row;
}

export async function listDeliveries(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({
      deliveryId: deliveries.deliveryId,
      recipient: deliveries.recipient,
      subject: deliveries.subject,
      documentSha256: deliveries.documentSha256,
    })
    .from(deliveries)
    .where(eq(deliveries.caseId, caseId));
}

import type { DbExecutor } from '../client.js';
import { paymentWebhookEvents } from '../schema.js';

/** Remembers a webhook id; false when it was seen before, i.e. this delivery is a replay. */
export async function rememberWebhook(
  db: DbExecutor,
  p: { webhookId: string; transactionId: string },
): Promise<boolean> {
  const inserted = await db
    .insert(paymentWebhookEvents)
    .values(p)
    .onConflictDoNothing()
    .returning({ id: paymentWebhookEvents.webhookId });
  return inserted.length > 0;
}

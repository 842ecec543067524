import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { payments } from '../schema.js';

export interface RecordPaymentParams {
  idempotencyKey: string;
  caseId: string;
  amountCents: number;
  currency: string;
  account: string;
  reference: string;
}

/** Returns the booking stored under the key: the new one, or the first one when this is a retry. */
export async function recordPayment(db: DbExecutor, p: RecordPaymentParams) {
  await db.insert(payments).values({ ...p, status: 'paid' }).onConflictDoNothing({ target: payments.idempotencyKey });
  const [row] = await db
    .select({ reference: payments.reference, amountCents: payments.amountCents, currency: payments.currency })
    .from(payments)
    .where(eq(payments.idempotencyKey, p.idempotencyKey));
  if (!row) throw new Error(`payment ${p.idempotencyKey} vanished after insert`);
  return row;
}

export async function listPayments(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({ idempotencyKey: payments.idempotencyKey, amountCents: payments.amountCents, account: payments.account, reference: payments.reference })
    .from(payments)
    .where(eq(payments.caseId, caseId));
}

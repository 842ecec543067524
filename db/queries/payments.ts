import { and, eq, ne } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { payments } from '../schema.js';

type PaymentRow = typeof payments.$inferInsert;
const columns = {
  idempotencyKey: payments.idempotencyKey,
  caseId: payments.caseId,
  kind: payments.kind,
  amountCents: payments.amountCents,
  currency: payments.currency,
  account: payments.account,
  providerTransactionId: payments.providerTransactionId,
  paymentPageUrl: payments.paymentPageUrl,
  reference: payments.reference,
  status: payments.status,
  settledAt: payments.settledAt,
};

/** Stores a money effect once per idempotency key and returns the stored row, also on a retry. */
export async function recordPayment(db: DbExecutor, p: Omit<PaymentRow, 'createdAt'>) {
  await db.insert(payments).values(p).onConflictDoNothing({ target: payments.idempotencyKey });
  const row = await findPayment(db, { idempotencyKey: p.idempotencyKey });
  if (!row) throw new Error(`payment ${p.idempotencyKey} vanished after insert`);
  return row;
}

export async function findPayment(db: DbExecutor, { idempotencyKey }: { idempotencyKey: string }) {
  const [row] = await db.select(columns).from(payments).where(eq(payments.idempotencyKey, idempotencyKey));
  return row;
}

/** Moves a payment to a new status; returns whether this call changed it (false when already there). */
export async function setPaymentStatus(
  db: DbExecutor,
  p: { idempotencyKey: string; status: PaymentRow['status']; reference?: string; settledAt?: Date },
): Promise<boolean> {
  const changed = await db
    .update(payments)
    .set({
      status: p.status,
      ...(p.reference ? { reference: p.reference } : {}),
      ...(p.settledAt ? { settledAt: p.settledAt } : {}),
    })
    .where(and(eq(payments.idempotencyKey, p.idempotencyKey), ne(payments.status, p.status)))
    .returning({ key: payments.idempotencyKey });
  return changed.length > 0;
}

export async function findCaseOfTransaction(
  db: DbExecutor,
  { providerTransactionId }: { providerTransactionId: string },
) {
  const [row] = await db
    .select({ caseId: payments.caseId, kind: payments.kind })
    .from(payments)
    .where(and(eq(payments.providerTransactionId, providerTransactionId), eq(payments.kind, 'fee')));
  return row;
}

export async function listPayments(db: DbExecutor, { caseId }: { caseId: string }) {
  return db.select(columns).from(payments).where(eq(payments.caseId, caseId)).orderBy(payments.createdAt);
}

import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { hkrBookings } from '../schema.js';

export type NewHkrBooking = Omit<typeof hkrBookings.$inferInsert, 'id' | 'bookedAt'>;

/** Books once per key; a retried settlement finds the first booking. */
export async function recordHkrBooking(db: DbExecutor, b: NewHkrBooking): Promise<void> {
  await db.insert(hkrBookings).values(b).onConflictDoNothing({ target: hkrBookings.bookingKey });
}

export interface HkrBookingFilter {
  from?: Date;
  to?: Date;
  caseId?: string;
  authorityId?: string;
  limit?: number;
  offset?: number;
}

export async function listHkrBookings(db: DbExecutor, p: HkrBookingFilter = {}) {
  const q = db
    .select({
      id: hkrBookings.id,
      bookingKey: hkrBookings.bookingKey,
      caseId: hkrBookings.caseId,
      serviceKey: hkrBookings.serviceKey,
      authorityId: hkrBookings.authorityId,
      kind: hkrBookings.kind,
      direction: hkrBookings.direction,
      amountCents: hkrBookings.amountCents,
      currency: hkrBookings.currency,
      account: hkrBookings.account,
      transactionReference: hkrBookings.transactionReference,
      providerTransactionId: hkrBookings.providerTransactionId,
      bookedAt: hkrBookings.bookedAt,
    })
    .from(hkrBookings)
    .where(
      and(
        p.from ? gte(hkrBookings.bookedAt, p.from) : undefined,
        p.to ? lt(hkrBookings.bookedAt, p.to) : undefined,
        p.caseId ? eq(hkrBookings.caseId, p.caseId) : undefined,
        p.authorityId ? eq(hkrBookings.authorityId, p.authorityId) : undefined,
      ),
    )
    .orderBy(asc(hkrBookings.id))
    .$dynamic();
  return p.limit === undefined ? q.offset(p.offset ?? 0) : q.limit(p.limit).offset(p.offset ?? 0);
}

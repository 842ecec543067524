import { stringify } from 'csv-stringify/sync';
import type { DbExecutor } from '../db/client.js';
import { listHkrBookings, type HkrBookingFilter } from '../db/queries/hkr-bookings.js';

export type HkrFormat = 'csv' | 'json';

const COLUMNS = [
  'bookingId',
  'bookedAt',
  'direction',
  'kind',
  'amountCents',
  'currency',
  'account',
  'transactionReference',
  'providerTransactionId',
  'caseId',
  'serviceKey',
  'authorityId',
] as const;

/** One export record per booking; amounts stay integer cents so nothing is rounded on the way to the HKR. */
export async function hkrRecords(db: DbExecutor, p: Omit<HkrBookingFilter, 'caseId'> = {}) {
  const rows = await listHkrBookings(db, p);
  return rows.map((r) => ({
    bookingId: r.id,
    bookedAt: r.bookedAt.toISOString(),
    direction: r.direction,
    kind: r.kind,
    amountCents: r.amountCents,
    currency: r.currency,
    account: r.account,
    transactionReference: r.transactionReference,
    providerTransactionId: r.providerTransactionId,
    caseId: r.caseId,
    serviceKey: r.serviceKey,
    authorityId: r.authorityId,
  }));
}

/** CSV with a header row (RFC 4180), or JSON with a format tag and the record count. */
export async function exportHkrBookings(
  db: DbExecutor,
  p: Omit<HkrBookingFilter, 'caseId'> & { format: HkrFormat },
): Promise<string> {
  const records = await hkrRecords(db, p);
  if (p.format === 'csv') return stringify(records, { header: true, columns: [...COLUMNS] });
  return JSON.stringify(
    {
      format: 'ozg-hkr-bookings/1',
      exportedAt: new Date().toISOString(),
      authorityId: p.authorityId,
      offset: p.offset ?? 0,
      limit: p.limit,
      count: records.length,
      bookings: records,
    },
    null,
    2,
  );
}

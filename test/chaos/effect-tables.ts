import { sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/client.js';

/**
 * Effects recorded more than once per case and purpose in the engine's tables, independent of idempotency keys and
 * document bytes: money per case, kind (fee, refund, pay-out) and purpose (the effect its key names first: the case's
 * pay-out, a further one after an objection's remedy; whatever follows in a key is ignored) with its HKR booking, one
 * delivery per case, recipient and subject, one archive package per case (blobs in PostgreSQL: `BLOB_STORE=postgres`),
 * and every seal filed in the case's Akte (a case may hold several sealed documents, a Bescheid and the decisions on an
 * objection; a seal made twice for one purpose would find its Akte entry taken by the first and stay unfiled).
 * `caseIds` limits the check to a test's own cases where the database is shared.
 */
export async function duplicatesInTables(db: DbExecutor, caseIds?: ReadonlySet<string>): Promise<string[]> {
  const rows = await db.execute<{ case_id: string; what: string; n: string }>(sql`
    select case_id, 'payment ' || kind as what, count(*) as n from payments
      group by case_id, kind, split_part(idempotency_key, ':', 3) having count(*) > 1
    union all
    select case_id, 'HKR booking ' || kind, count(*) from hkr_bookings
      group by case_id, kind, split_part(booking_key, ':', 3) having count(*) > 1
    union all
    select s.case_id, 'seal not filed in the Akte', 1 from seals s where not exists
      (select 1 from akte_documents a where a.case_id = s.case_id and a.sha256 = s.sealed_sha256)
    union all
    select case_id, 'delivery to ' || recipient || ': ' || subject, count(*) from deliveries
      group by case_id, recipient, subject having count(*) > 1`);
  const packages = await db.execute<{ bytes: Buffer }>(
    sql`select bytes from blobs where key like 'archive/packages/%'`,
  );
  const perCase = new Map<string, number>();
  for (const p of packages) {
    const caseId = (JSON.parse(Buffer.from(p.bytes).toString('utf8')) as { Akte: { Aktenzeichen: string } }).Akte
      .Aktenzeichen;
    perCase.set(caseId, (perCase.get(caseId) ?? 0) + 1);
  }
  return [
    ...rows.map((r) => ({ caseId: r.case_id, text: `${r.what} ${r.n} times` })),
    ...[...perCase].filter(([, n]) => n > 1).map(([caseId, n]) => ({ caseId, text: `archive package ${n} times` })),
  ]
    .filter((d) => !caseIds || caseIds.has(d.caseId))
    .map((d) => `${d.caseId}: ${d.text}`);
}

import { and, eq, isNotNull, lt } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { cases, deliveries, seals } from '../schema.js';

/** Closed cases that still hold personal data and closed before `closedBefore`; the caller applies each service's period. */
export async function listErasableCases(db: DbExecutor, { closedBefore }: { closedBefore: Date }) {
  return db
    .select({
      caseId: cases.caseId,
      serviceKey: cases.serviceKey,
      closedAt: cases.closedAt,
      bescheidSha256: cases.bescheidSha256,
    })
    .from(cases)
    .where(
      and(
        eq(cases.status, 'closed'),
        isNotNull(cases.applicantSubject),
        isNotNull(cases.closedAt),
        lt(cases.closedAt, closedBefore),
      ),
    );
}

/** Documents a case holds outside the archive: the sealed and unsealed Bescheid, and every letter delivered. */
export async function documentsOfCase(db: DbExecutor, { caseId }: { caseId: string }): Promise<string[]> {
  const [sealRows, deliveryRows] = await Promise.all([
    db.select({ source: seals.sourceSha256, sealed: seals.sealedSha256 }).from(seals).where(eq(seals.caseId, caseId)),
    db.select({ sha256: deliveries.documentSha256 }).from(deliveries).where(eq(deliveries.caseId, caseId)),
  ]);
  return [...new Set([...sealRows.flatMap((s) => [s.source, s.sealed]), ...deliveryRows.map((d) => d.sha256)])];
}

/** Drops the applicant's pseudonym from the case and its deliveries; outcome, decision and seal record stay. */
export async function erasePersonalData(db: DbExecutor, { caseId }: { caseId: string }): Promise<void> {
  await db.update(cases).set({ applicantSubject: null }).where(eq(cases.caseId, caseId));
  await db.update(deliveries).set({ recipient: 'gelöscht' }).where(eq(deliveries.caseId, caseId));
}

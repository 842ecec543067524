import { and, asc, eq, inArray, isNotNull, isNull, lt, max, ne, sql } from 'drizzle-orm';
import type { DocumentRef } from '../../workflows/contracts/case.js';
import type { DbExecutor } from '../client.js';
import {
  akteDocuments,
  akteSearchTerms,
  akten,
  caseEvents,
  caseHolds,
  erasureRequests,
  payments,
  cases,
  deliveries,
  erasures,
  evidenceRetrievals,
  evidenceUploads,
  seals,
  taskFollowUps,
} from '../schema.js';

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

/** What kind of document a case holds outside the archive, for the erasure record. */
export type CaseDocumentKind = 'bescheid' | 'delivered_letter' | 'evidence_upload' | 'register_evidence';

export interface CaseDocument {
  kind: CaseDocumentKind;
  sha256: string;
}

/**
 * Documents a case holds outside the archive: the sealed and unsealed Bescheid, every letter delivered, the evidence
 * the applicant uploaded and the evidence documents registers returned. Each hash once, under its first kind.
 */
export async function documentsOfCase(db: DbExecutor, { caseId }: { caseId: string }): Promise<CaseDocument[]> {
  const [sealRows, deliveryRows, uploadRows, registerRows] = await Promise.all([
    db.select({ source: seals.sourceSha256, sealed: seals.sealedSha256 }).from(seals).where(eq(seals.caseId, caseId)),
    db.select({ sha256: deliveries.documentSha256 }).from(deliveries).where(eq(deliveries.caseId, caseId)),
    db
      .select({ sha256: evidenceUploads.documentSha256 })
      .from(evidenceUploads)
      .where(eq(evidenceUploads.caseId, caseId)),
    db
      .select({ sha256: evidenceRetrievals.documentSha256 })
      .from(evidenceRetrievals)
      .where(and(eq(evidenceRetrievals.caseId, caseId), isNotNull(evidenceRetrievals.documentSha256))),
  ]);
  const out = new Map<string, CaseDocumentKind>();
  const add = (kind: CaseDocumentKind, sha256: string | null) => {
    if (sha256 && !out.has(sha256)) out.set(sha256, kind);
  };
  for (const s of sealRows) [s.source, s.sealed].forEach((h) => add('bescheid', h));
  for (const d of deliveryRows) add('delivered_letter', d.sha256);
  for (const u of uploadRows) add('evidence_upload', u.sha256);
  for (const r of registerRows) add('register_evidence', r.sha256);
  return [...out].map(([sha256, kind]) => ({ kind, sha256 }));
}

/** The archive package a closed case was handed over in (its `case.closed` event names it). */
export async function archivePackageOf(db: DbExecutor, { caseId }: { caseId: string }): Promise<string | undefined> {
  const [row] = await db
    .select({ data: caseEvents.data })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.type, 'case.closed')))
    .limit(1);
  const pkg = (row?.data as { archive?: unknown } | undefined)?.archive;
  return typeof pkg === 'string' ? pkg : undefined;
}

/**
 * Of these evidence hashes, those another case still needs: content addressing stores one copy of identical bytes,
 * so an upload or register document two cases share stays until the last of them is erased.
 */
export async function evidenceStillNeeded(
  db: DbExecutor,
  { caseId, sha256s }: { caseId: string; sha256s: string[] },
): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const live = and(ne(cases.caseId, caseId), isNotNull(cases.applicantSubject));
  const [uploads, retrievals] = await Promise.all([
    db
      .select({ sha256: evidenceUploads.documentSha256 })
      .from(evidenceUploads)
      .innerJoin(cases, eq(cases.caseId, evidenceUploads.caseId))
      .where(and(inArray(evidenceUploads.documentSha256, sha256s), live)),
    db
      .select({ sha256: evidenceRetrievals.documentSha256 })
      .from(evidenceRetrievals)
      .innerJoin(cases, eq(cases.caseId, evidenceRetrievals.caseId))
      .where(and(inArray(evidenceRetrievals.documentSha256, sha256s), live)),
  ]);
  return new Set([...uploads, ...retrievals].flatMap((r) => (r.sha256 ? [r.sha256] : [])));
}

/** An applicant's upload the case accepted; a repeat of the same upload stays one row. */
export async function recordEvidenceUpload(
  db: DbExecutor,
  u: { caseId: string; evidenceType: string; document: DocumentRef },
): Promise<void> {
  await db
    .insert(evidenceUploads)
    .values({
      caseId: u.caseId,
      evidenceType: u.evidenceType,
      documentSha256: u.document.sha256,
      mediaType: u.document.mediaType,
      size: u.document.size,
    })
    .onConflictDoNothing({ target: [evidenceUploads.caseId, evidenceUploads.evidenceType] });
}

export interface ErasureRecord {
  caseId: string;
  serviceKey: string;
  asOf: Date;
  retentionYears: number;
  documents: CaseDocument[];
  kept: string[];
  runsFrom?: string;
  retainedUntil?: Date | null;
  disposal?: 'erase' | 'offer_to_archive';
  trigger?: 'retention' | 'art-17';
}

/**
 * Drops the applicant's pseudonym from the case, its deliveries and its transparency log, and records what was erased;
 * outcome, decision, seal record and archive package stay. A rerun of the same case keeps the first record.
 */
export async function erasePersonalData(db: DbExecutor, r: ErasureRecord): Promise<void> {
  await db.insert(erasures).values(r).onConflictDoNothing({ target: erasures.caseId });
  await db.update(deliveries).set({ recipient: 'gelöscht' }).where(eq(deliveries.caseId, r.caseId));
  await db.update(evidenceRetrievals).set({ subject: 'gelöscht' }).where(eq(evidenceRetrievals.caseId, r.caseId));
  // The Akte keeps its index (kinds, titles, hashes) and its Aktenzeichen; the application, the letters' texts, the
  // verified identity and the pseudonym go.
  await db.update(akteDocuments).set({ content: null }).where(eq(akteDocuments.caseId, r.caseId));
  await db
    .update(akteDocuments)
    .set({ authorId: null })
    .where(and(eq(akteDocuments.caseId, r.caseId), eq(akteDocuments.authorRole, 'applicant')));
  // The blind index's keyed hashes of name, birth date, licence plate and address go too: the case is then found
  // by its Aktenzeichen only.
  await db.delete(akteSearchTerms).where(eq(akteSearchTerms.caseId, r.caseId));
  // Wiedervorlagen and their notes go with the case's personal data.
  await db.delete(taskFollowUps).where(eq(taskFollowUps.caseId, r.caseId));
  await db
    .update(akten)
    .set({
      applicantSubject: 'gelöscht',
      identity: {},
      consent: null,
      finalState: sql`${akten.finalState} - 'applicantSubject'`,
    })
    .where(eq(akten.caseId, r.caseId));
  // Last: while the pseudonym is there, a crashed run finds the case again and finishes it.
  await db.update(cases).set({ applicantSubject: null }).where(eq(cases.caseId, r.caseId));
}

export async function erasureOf(db: DbExecutor, { caseId }: { caseId: string }) {
  const [row] = await db.select().from(erasures).where(eq(erasures.caseId, caseId));
  return row;
}

export type CaseHoldRow = typeof caseHolds.$inferSelect;

/** Every hold ever placed on a case, oldest first, released ones included. */
export async function holdsOfCase(db: DbExecutor, { caseId }: { caseId: string }): Promise<CaseHoldRow[]> {
  return db.select().from(caseHolds).where(eq(caseHolds.caseId, caseId)).orderBy(asc(caseHolds.id));
}

/** The holds in force on a case. */
export async function activeHoldsOfCase(db: DbExecutor, { caseId }: { caseId: string }): Promise<CaseHoldRow[]> {
  return db
    .select()
    .from(caseHolds)
    .where(and(eq(caseHolds.caseId, caseId), isNull(caseHolds.releasedAt)))
    .orderBy(asc(caseHolds.id));
}

export async function placeHold(
  db: DbExecutor,
  h: { caseId: string; kind: CaseHoldRow['kind']; reason: string; placedBy: string },
): Promise<CaseHoldRow> {
  const [row] = await db.insert(caseHolds).values(h).returning();
  return row!;
}

/** Releases a hold in force; answers undefined when the case has no such hold in force. */
export async function releaseHold(
  db: DbExecutor,
  h: { caseId: string; id: number; releasedBy: string },
): Promise<CaseHoldRow | undefined> {
  const [row] = await db
    .update(caseHolds)
    .set({ releasedAt: sql`now()`, releasedBy: h.releasedBy })
    .where(and(eq(caseHolds.caseId, h.caseId), eq(caseHolds.id, h.id), isNull(caseHolds.releasedAt)))
    .returning();
  return row;
}

/**
 * Releases the objection holds in force on a case (its procedure ended); answers the holds this call released, none when
 * they were released already.
 */
export async function releaseObjectionHolds(
  db: DbExecutor,
  h: { caseId: string; releasedBy: string },
): Promise<CaseHoldRow[]> {
  return db
    .update(caseHolds)
    .set({ releasedAt: sql`now()`, releasedBy: h.releasedBy })
    .where(and(eq(caseHolds.caseId, h.caseId), eq(caseHolds.kind, 'objection'), isNull(caseHolds.releasedAt)))
    .returning();
}

/** When the case's last money effect settled (fee, refund or pay-out), if any did. */
export async function lastPaymentOf(db: DbExecutor, { caseId }: { caseId: string }): Promise<Date | null> {
  const [row] = await db
    .select({ at: max(payments.settledAt) })
    .from(payments)
    .where(eq(payments.caseId, caseId));
  return row?.at ?? null;
}

export async function recordErasureRequest(
  db: DbExecutor,
  r: { requestId: string; subjectSha256: string; requestedAt: Date; cases: unknown[] },
): Promise<void> {
  await db.insert(erasureRequests).values(r);
}

export async function erasureRequestsOf(db: DbExecutor, { subjectSha256 }: { subjectSha256: string }) {
  return db
    .select()
    .from(erasureRequests)
    .where(eq(erasureRequests.subjectSha256, subjectSha256))
    .orderBy(asc(erasureRequests.requestedAt));
}

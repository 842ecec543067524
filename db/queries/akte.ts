import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { type AKTE_DOCUMENT_KINDS, akteDocuments, akteSearchTerms, akten, aktenzeichenCounters } from '../schema.js';
import { openValue, sealValue, sealedAt } from '../akte-sealing.js';

export type AkteDocumentKind = (typeof AKTE_DOCUMENT_KINDS)[number];
export type AkteRow = typeof akten.$inferSelect;
export type AkteDocumentRow = typeof akteDocuments.$inferSelect;

export interface OpenAkteParams {
  caseId: string;
  authorityId: string;
  serviceKey: string;
  /** The year the Aktenzeichen counts in (the authority's calendar year of submission). */
  year: number;
  /** Turns the running number drawn for this authority and year into the Aktenzeichen. */
  aktenzeichen(runningNumber: number): string;
  applicantSubject: string;
  identity: unknown;
  consent?: unknown;
  submissionSha256: string;
  schemaId: string;
  schemaVersion: string;
  ruleSetVersion: string;
  ruleSetSha256?: string;
  submittedAt: Date;
  /** The application as submitted, with its SHA-256 over its canonical JSON and its size in bytes. */
  antrag: { content: Record<string, unknown>; sha256: string; size: number; title: string; labels?: unknown };
  /** The blind index's keyed hashes of what people search the case by (platform/blind-index.ts); never clear text. */
  searchTerms?: Array<{ term: string; kind: string }>;
}

/**
 * Writes the Akte with the Antrag as its first document, once per case: a second call for the same case (a repeated
 * submission) writes nothing and answers the Akte that is there, so the caller can compare its submission hash.
 * The running number is drawn in the same transaction, so a failed write leaves no gap.
 */
export async function openAkte(
  db: DbExecutor & { transaction<T>(fn: (tx: DbExecutor) => Promise<T>): Promise<T> },
  p: OpenAkteParams,
): Promise<{ akte: AkteRow; created: boolean }> {
  // Sealed before the transaction: the data key may need a connection of its own (reading or creating it), which a
  // transaction holding the counter's row lock must never wait for (under a burst of submissions the pool would
  // deadlock).
  const antragId = antragDocumentId(p.caseId);
  const [identity, consent, antragContent] = await Promise.all([
    sealValue(p.authorityId, p.identity, sealedAt('akten.identity', p.caseId)),
    sealValue(p.authorityId, p.consent ?? null, sealedAt('akten.consent', p.caseId)),
    sealValue(p.authorityId, p.antrag.content, sealedAt('akte_documents.content', antragId)),
  ]);
  const written = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`akte:${p.caseId}`}))`);
    const [existing] = await tx.select({ caseId: akten.caseId }).from(akten).where(eq(akten.caseId, p.caseId));
    if (existing) return undefined;
    const [counter] = await tx
      .insert(aktenzeichenCounters)
      .values({ authorityId: p.authorityId, year: p.year, last: 1 })
      .onConflictDoUpdate({
        target: [aktenzeichenCounters.authorityId, aktenzeichenCounters.year],
        set: { last: sql`${aktenzeichenCounters.last} + 1` },
      })
      .returning({ last: aktenzeichenCounters.last });
    const runningNumber = counter!.last;
    const [akte] = await tx
      .insert(akten)
      .values({
        caseId: p.caseId,
        aktenzeichen: p.aktenzeichen(runningNumber),
        authorityId: p.authorityId,
        serviceKey: p.serviceKey,
        year: p.year,
        runningNumber,
        applicantSubject: p.applicantSubject,
        identity,
        consent,
        submissionSha256: p.submissionSha256,
        schemaId: p.schemaId,
        schemaVersion: p.schemaVersion,
        ruleSetVersion: p.ruleSetVersion,
        ruleSetSha256: p.ruleSetSha256 ?? null,
        submittedAt: p.submittedAt,
      })
      .returning();
    await tx.insert(akteDocuments).values({
      documentId: antragId,
      caseId: p.caseId,
      kind: 'antrag',
      title: p.antrag.title,
      mediaType: 'application/json',
      sha256: p.antrag.sha256,
      size: p.antrag.size,
      content: antragContent,
      labels: p.antrag.labels ?? null,
      authorRole: 'applicant',
      authorId: p.applicantSubject,
      createdAt: p.submittedAt,
    });
    if (p.searchTerms?.length)
      await tx
        .insert(akteSearchTerms)
        .values(p.searchTerms.map((t) => ({ authorityId: p.authorityId, caseId: p.caseId, ...t })))
        .onConflictDoNothing();
    return akte!;
  });
  // Opened after the commit, for the same reason as above; an Akte written before is read as any other.
  if (!written) return { akte: (await findAkte(db, { caseId: p.caseId }))!, created: false };
  return { akte: await openAkteRow(written), created: true };
}

/** The Antrag's entry in the index: one per case, so its id follows from the case. */
export const antragDocumentId = (caseId: string) => `${caseId}:antrag`;

export async function findAkte(db: DbExecutor, { caseId }: { caseId: string }): Promise<AkteRow | undefined> {
  const [row] = await db.select().from(akten).where(eq(akten.caseId, caseId));
  return row && openAkteRow(row);
}

/** The one place the Akte's header is read with its identity and consent opened (db/akte-sealing.ts). */
async function openAkteRow(row: AkteRow): Promise<AkteRow> {
  const [identity, consent] = await Promise.all([
    openValue(row.identity, sealedAt('akten.identity', row.caseId)),
    openValue(row.consent, sealedAt('akten.consent', row.caseId)),
  ]);
  return { ...row, identity, consent };
}

/** The one place a document's JSON content is read opened (db/akte-sealing.ts). */
export async function openAkteDocumentRow<R extends { documentId: string; content: unknown }>(row: R): Promise<R> {
  return { ...row, content: await openValue(row.content, sealedAt('akte_documents.content', row.documentId)) };
}

/** Seals a document's content with the data key of its case's authority (found in its Akte). */
async function sealDocumentContent(db: DbExecutor, p: { caseId: string; documentId: string; content?: unknown }) {
  if (p.content === undefined || p.content === null) return null;
  const [akte] = await db.select({ authorityId: akten.authorityId }).from(akten).where(eq(akten.caseId, p.caseId));
  // A record of no Akte (none is written without one) has no authority to seal it for.
  if (!akte) return p.content;
  return sealValue(akte.authorityId, p.content, sealedAt('akte_documents.content', p.documentId));
}

/** Keeps the state a case closed with, so that its views answer the same once Temporal's history is gone. */
export async function recordFinalState(db: DbExecutor, p: { caseId: string; state: unknown }): Promise<void> {
  await db.update(akten).set({ finalState: p.state }).where(eq(akten.caseId, p.caseId));
}

export async function findAkteByAktenzeichen(db: DbExecutor, { aktenzeichen }: { aktenzeichen: string }) {
  const [row] = await db.select().from(akten).where(eq(akten.aktenzeichen, aktenzeichen));
  return row && openAkteRow(row);
}

export interface AddAkteDocumentParams {
  /** Stable per entry (e.g. `<case id>:bescheid`): a retried write finds its entry instead of adding a second. */
  documentId: string;
  caseId: string;
  kind: AkteDocumentKind;
  title: string;
  mediaType: string;
  sha256: string;
  size: number;
  blobKey?: string;
  content?: unknown;
  authorRole: AkteDocumentRow['authorRole'];
  authorId?: string;
  createdAt?: Date;
  replaces?: string;
}

/** Adds an entry to the document index once; the same id written again is ignored. */
export async function addAkteDocument(db: DbExecutor, p: AddAkteDocumentParams): Promise<void> {
  await db
    .insert(akteDocuments)
    .values({ ...p, content: await sealDocumentContent(db, p) })
    .onConflictDoNothing({ target: akteDocuments.documentId });
}

/**
 * Adds an entry, or points it at newer bytes: for a document a retried step makes again (a register answer carries
 * its retrieval time), the last attempt is the one the case goes on with.
 */
export async function putAkteDocument(db: DbExecutor, p: AddAkteDocumentParams): Promise<void> {
  await db
    .insert(akteDocuments)
    .values({ ...p, content: await sealDocumentContent(db, p) })
    .onConflictDoUpdate({
      target: akteDocuments.documentId,
      set: {
        sha256: p.sha256,
        size: p.size,
        blobKey: p.blobKey ?? null,
        mediaType: p.mediaType,
        createdAt: sql`now()`,
      },
    });
}

/** The document index of a case, oldest first, without the content of JSON records. */
export async function listAkteDocuments(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({
      documentId: akteDocuments.documentId,
      kind: akteDocuments.kind,
      title: akteDocuments.title,
      mediaType: akteDocuments.mediaType,
      sha256: akteDocuments.sha256,
      size: akteDocuments.size,
      blobKey: akteDocuments.blobKey,
      authorRole: akteDocuments.authorRole,
      authorId: akteDocuments.authorId,
      createdAt: akteDocuments.createdAt,
      replaces: akteDocuments.replaces,
    })
    .from(akteDocuments)
    .where(eq(akteDocuments.caseId, caseId))
    .orderBy(asc(akteDocuments.createdAt), asc(akteDocuments.documentId));
}

/** The entries of some kinds with their JSON content, oldest first (questions, uploads). */
export async function listAkteDocumentContents(
  db: DbExecutor,
  { caseId, kinds }: { caseId: string; kinds: AkteDocumentKind[] },
) {
  const rows = await db
    .select()
    .from(akteDocuments)
    .where(and(eq(akteDocuments.caseId, caseId), inArray(akteDocuments.kind, kinds)))
    .orderBy(asc(akteDocuments.createdAt), asc(akteDocuments.documentId));
  return Promise.all(rows.map(openAkteDocumentRow));
}

export async function findAkteDocument(db: DbExecutor, { documentId }: { documentId: string }) {
  const [row] = await db.select().from(akteDocuments).where(eq(akteDocuments.documentId, documentId));
  return row && openAkteDocumentRow(row);
}

/** The Akte's record of the Bescheid's Bekanntgabe (one per case): its document id. */
export const bekanntgabeDocumentId = (caseId: string): string => `${caseId}:bekanntgabe`;
/** Every Akte of one applicant (their pseudonymous subject), oldest first: for the Art. 15 export and Art. 17 requests. */
export async function listAktenOfApplicant(db: DbExecutor, { applicantSubject }: { applicantSubject: string }) {
  const rows = await db
    .select()
    .from(akten)
    .where(eq(akten.applicantSubject, applicantSubject))
    .orderBy(asc(akten.submittedAt), asc(akten.caseId));
  return Promise.all(rows.map(openAkteRow));
}

/**
 * Seals the Akte's values written before sealing (plain JSON) with their authority's current data key, in batches;
 * returns how many rows changed. Run by `npm run authority-keys -- seal-akten` once the engine seals (idempotent).
 */
export async function sealPlainAkten(
  db: DbExecutor,
  { caseId, batch = 500 }: { caseId?: string; batch?: number } = {},
): Promise<number> {
  const ofCase = caseId ? sql`${akten.caseId} = ${caseId} and ` : sql``;
  let changed = 0;
  for (;;) {
    const heads = await db
      .select({
        caseId: akten.caseId,
        authorityId: akten.authorityId,
        identity: akten.identity,
        consent: akten.consent,
      })
      .from(akten)
      .where(
        sql`${ofCase}(${akten.identity}->>'$sealed' is null or (${akten.consent} is not null and ${akten.consent}->>'$sealed' is null))`,
      )
      .limit(batch);
    for (const h of heads) {
      const identity = await sealValue(h.authorityId, h.identity, sealedAt('akten.identity', h.caseId));
      const consent = await sealValue(h.authorityId, h.consent, sealedAt('akten.consent', h.caseId));
      if (identity === h.identity) throw new Error('the Akte cannot be sealed: no data keys are set (useAkteDataKeys)');
      await db.update(akten).set({ identity, consent }).where(eq(akten.caseId, h.caseId));
    }
    const docs = await db
      .select({ documentId: akteDocuments.documentId, authorityId: akten.authorityId, content: akteDocuments.content })
      .from(akteDocuments)
      .innerJoin(akten, eq(akten.caseId, akteDocuments.caseId))
      .where(sql`${ofCase}${akteDocuments.content} is not null and ${akteDocuments.content}->>'$sealed' is null`)
      .limit(batch);
    for (const d of docs) {
      const content = await sealValue(d.authorityId, d.content, sealedAt('akte_documents.content', d.documentId));
      if (content === d.content) throw new Error('the Akte cannot be sealed: no data keys are set (useAkteDataKeys)');
      await db.update(akteDocuments).set({ content }).where(eq(akteDocuments.documentId, d.documentId));
    }
    changed += heads.length + docs.length;
    if (heads.length < batch && docs.length < batch) return changed;
  }
}

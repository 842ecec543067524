import { createHash } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { akteDocuments } from '../schema.js';
import { addAkteDocument, openAkteDocumentRow } from './akte.js';

/** An internal note (Vermerk) of the Akte: staff read it in the case file; nothing sends it to the applicant. */
export interface Vermerk {
  documentId: string;
  caseId: string;
  title: string;
  text: string;
  /** The staff member who wrote it (their login id; the directory names them). */
  authorId: string;
  createdAt: Date;
}

/** Files a Vermerk once: the same document id written again (a retried step, a repeated form) adds nothing. */
export async function fileVermerk(db: DbExecutor, n: Vermerk): Promise<void> {
  const content = { title: n.title, text: n.text };
  const bytes = Buffer.from(JSON.stringify(content), 'utf8');
  await addAkteDocument(db, {
    documentId: n.documentId,
    caseId: n.caseId,
    kind: 'note',
    title: n.title,
    mediaType: 'application/json',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
    content,
    authorRole: 'case_worker',
    authorId: n.authorId,
    createdAt: n.createdAt,
  });
}

/** The Vermerke of a case, oldest first. */
export async function listVermerke(db: DbExecutor, { caseId }: { caseId: string }): Promise<Vermerk[]> {
  const rows = await db
    .select()
    .from(akteDocuments)
    .where(and(eq(akteDocuments.caseId, caseId), eq(akteDocuments.kind, 'note')))
    .orderBy(asc(akteDocuments.createdAt), asc(akteDocuments.documentId))
    .then((found) => Promise.all(found.map(openAkteDocumentRow)));
  return rows.map((r) => ({
    documentId: r.documentId,
    caseId: r.caseId,
    title: r.title,
    text: String((r.content as { text?: unknown } | null)?.text ?? ''),
    authorId: r.authorId ?? '',
    createdAt: r.createdAt,
  }));
}

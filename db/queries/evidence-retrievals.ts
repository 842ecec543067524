import { asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { evidenceRetrievals } from '../schema.js';

export interface LogRetrievalParams {
  caseId: string;
  subject: string;
  authorityId: string;
  register: string;
  evidenceType: string;
  purpose: string;
  attempt: number;
  result: 'found' | 'not_found' | 'error';
  detail?: string;
  documentSha256?: string;
  requestedAt: Date;
  answeredAt: Date;
}

/** One row per attempt; the same attempt logged twice (a retried write) stays one row. */
export async function logRetrieval(db: DbExecutor, p: LogRetrievalParams): Promise<void> {
  await db
    .insert(evidenceRetrievals)
    .values(p)
    .onConflictDoNothing({
      target: [evidenceRetrievals.caseId, evidenceRetrievals.evidenceType, evidenceRetrievals.attempt],
    });
}

const columns = {
  caseId: evidenceRetrievals.caseId,
  authorityId: evidenceRetrievals.authorityId,
  register: evidenceRetrievals.register,
  evidenceType: evidenceRetrievals.evidenceType,
  purpose: evidenceRetrievals.purpose,
  attempt: evidenceRetrievals.attempt,
  result: evidenceRetrievals.result,
  detail: evidenceRetrievals.detail,
  documentSha256: evidenceRetrievals.documentSha256,
  requestedAt: evidenceRetrievals.requestedAt,
  answeredAt: evidenceRetrievals.answeredAt,
};

export async function listRetrievalsOfCase(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select(columns)
    .from(evidenceRetrievals)
    .where(eq(evidenceRetrievals.caseId, caseId))
    .orderBy(asc(evidenceRetrievals.id));
}

export async function listRetrievalsOfSubject(db: DbExecutor, { subject }: { subject: string }) {
  return db
    .select(columns)
    .from(evidenceRetrievals)
    .where(eq(evidenceRetrievals.subject, subject))
    .orderBy(asc(evidenceRetrievals.id));
}

import { and, asc, desc, eq, lt } from 'drizzle-orm';
import type { CaseStatus } from '../../contracts/case.js';
import type { DbExecutor } from '../client.js';
import { eventHash } from '../event-chain.js';
import { caseEvents } from '../schema.js';

export interface AppendCaseEventParams {
  caseId: string;
  seq: number;
  type: string;
  status: CaseStatus;
  data?: Record<string, unknown>;
  /** When it happened, if the writer knows better than the clock at writing (the case journal writes in batches). */
  at?: Date;
}

/**
 * Appends once, chained to the case's previous entry: the same (case, seq) written again by a retried activity is
 * ignored. Callers append a case's events one at a time in a transaction that holds the case row (recordStage does).
 */
export async function appendCaseEvent(db: DbExecutor, p: AppendCaseEventParams): Promise<void> {
  const [previous] = await db
    .select({ hash: caseEvents.hash })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, p.caseId), lt(caseEvents.seq, p.seq)))
    .orderBy(desc(caseEvents.seq))
    .limit(1);
  // Milliseconds, so the timestamp reads back exactly as it was hashed.
  const entry = { caseId: p.caseId, seq: p.seq, type: p.type, status: p.status, data: p.data ?? {}, at: p.at ?? new Date(), prevHash: previous?.hash ?? '' };
  await db
    .insert(caseEvents)
    .values({ ...entry, hash: eventHash(entry) })
    .onConflictDoNothing({ target: [caseEvents.caseId, caseEvents.seq] });
}

export async function listCaseEvents(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({
      caseId: caseEvents.caseId,
      seq: caseEvents.seq,
      type: caseEvents.type,
      status: caseEvents.status,
      data: caseEvents.data,
      at: caseEvents.at,
      prevHash: caseEvents.prevHash,
      hash: caseEvents.hash,
    })
    .from(caseEvents)
    .where(eq(caseEvents.caseId, caseId))
    .orderBy(asc(caseEvents.seq));
}

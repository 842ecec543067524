import { and, asc, eq, sql } from 'drizzle-orm';
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

/** The entry this case's log needs before `seq` is not there yet; retrying after it lands is what helps. */
export class EventPredecessorMissing extends Error {
  constructor(
    readonly caseId: string,
    readonly seq: number,
  ) {
    super(`event ${seq} of case ${caseId} waits for event ${seq - 1}`);
    this.name = 'EventPredecessorMissing';
  }
}

/**
 * Appends once, chained to entry `seq - 1`: the same (case, seq) written again by a retried activity is ignored.
 * Call inside a transaction: a per-case advisory lock (held until commit) orders concurrent appends of one case, and
 * an entry whose predecessor has not landed yet is refused, so two appends can never link to the same predecessor.
 */
export async function appendCaseEvent(db: DbExecutor, p: AppendCaseEventParams): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`case_events:${p.caseId}`}))`);
  const rows = await db
    .select({ seq: caseEvents.seq, hash: caseEvents.hash })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, p.caseId), sql`${caseEvents.seq} in (${p.seq}, ${p.seq - 1})`));
  if (rows.some((r) => r.seq === p.seq)) return;
  const previous = rows.find((r) => r.seq === p.seq - 1);
  if (p.seq > 1 && !previous) throw new EventPredecessorMissing(p.caseId, p.seq);
  // Milliseconds, so the timestamp reads back exactly as it was hashed.
  const entry = {
    caseId: p.caseId,
    seq: p.seq,
    type: p.type,
    status: p.status,
    data: p.data ?? {},
    at: p.at ?? new Date(),
    prevHash: previous?.hash ?? '',
  };
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

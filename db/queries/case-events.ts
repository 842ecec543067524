import { and, asc, eq, inArray, max, sql } from 'drizzle-orm';
import type { CaseStatus } from '../../workflows/contracts/case.js';
import type { Database, DbExecutor } from '../client.js';
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
  await appendCaseEvents(db, p.caseId, [p]);
}

/**
 * Appends a batch of one case's entries as `appendCaseEvent` appends one, in three statements however many there
 * are: the lock, one read of the entries already there (and the predecessor of the first), one insert of the rest.
 */
export async function appendCaseEvents(
  db: DbExecutor,
  caseId: string,
  entries: ReadonlyArray<Omit<AppendCaseEventParams, 'caseId'>>,
): Promise<void> {
  if (entries.length === 0) return;
  const batch = [...entries].sort((a, b) => a.seq - b.seq);
  const seqs = [...new Set([batch[0]!.seq - 1, ...batch.map((e) => e.seq)])];
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`case_events:${caseId}`}))`);
  const rows = await db
    .select({ seq: caseEvents.seq, hash: caseEvents.hash })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, caseId), inArray(caseEvents.seq, seqs)));
  const hashOf = new Map(rows.map((r) => [r.seq, r.hash]));
  const fresh: Array<typeof caseEvents.$inferInsert> = [];
  for (const p of batch) {
    if (hashOf.has(p.seq)) continue;
    const prevHash = hashOf.get(p.seq - 1);
    if (p.seq > 1 && prevHash === undefined) throw new EventPredecessorMissing(caseId, p.seq);
    // Milliseconds, so the timestamp reads back exactly as it was hashed.
    const entry = {
      caseId,
      seq: p.seq,
      type: p.type,
      status: p.status,
      data: p.data ?? {},
      at: p.at ?? new Date(),
      prevHash: prevHash ?? '',
    };
    const hash = eventHash(entry);
    hashOf.set(p.seq, hash);
    fresh.push({ ...entry, hash });
  }
  if (fresh.length === 0) return;
  await db
    .insert(caseEvents)
    .values(fresh)
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

export interface AppendLateCaseEventParams {
  caseId: string;
  type: string;
  status: CaseStatus;
  data: Record<string, unknown>;
  /** The business key of the fact: the same (case, type, key) is appended once, however often a step retries. */
  eventKey: string;
}

/**
 * Appends an entry after the case's own workflow closed its log (its Bekanntgabe, a later procedure): the next
 * `seq`, chained as any entry, once per type and key. Under the case's advisory lock, so two writers never take the
 * same `seq`.
 */
export async function appendLateCaseEvent(db: Database, p: AppendLateCaseEventParams): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`case_events:${p.caseId}`}))`);
    const [known] = await tx
      .select({ seq: caseEvents.seq })
      .from(caseEvents)
      .where(
        and(
          eq(caseEvents.caseId, p.caseId),
          eq(caseEvents.type, p.type),
          sql`${caseEvents.data}->>'eventKey' = ${p.eventKey}`,
        ),
      )
      .limit(1);
    if (known) return;
    const [last] = await tx
      .select({ seq: max(caseEvents.seq) })
      .from(caseEvents)
      .where(eq(caseEvents.caseId, p.caseId));
    await appendCaseEvents(tx, p.caseId, [
      { seq: (last?.seq ?? 0) + 1, type: p.type, status: p.status, data: { ...p.data, eventKey: p.eventKey } },
    ]);
  });
}

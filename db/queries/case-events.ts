import { asc, eq } from 'drizzle-orm';
import type { CaseStatus } from '../../contracts/case.js';
import type { DbExecutor } from '../client.js';
import { caseEvents } from '../schema.js';

export interface AppendCaseEventParams {
  caseId: string;
  seq: number;
  type: string;
  status: CaseStatus;
  data?: Record<string, unknown>;
}

/** Appends once: the same (case, seq) written again by a retried activity is ignored. */
export async function appendCaseEvent(db: DbExecutor, p: AppendCaseEventParams): Promise<void> {
  await db
    .insert(caseEvents)
    .values({ caseId: p.caseId, seq: p.seq, type: p.type, status: p.status, data: p.data ?? {} })
    .onConflictDoNothing({ target: [caseEvents.caseId, caseEvents.seq] });
}

export async function listCaseEvents(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({ seq: caseEvents.seq, type: caseEvents.type, status: caseEvents.status, data: caseEvents.data, at: caseEvents.at })
    .from(caseEvents)
    .where(eq(caseEvents.caseId, caseId))
    .orderBy(asc(caseEvents.seq));
}

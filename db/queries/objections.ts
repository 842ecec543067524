import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { objections } from '../schema.js';

export type ObjectionRow = typeof objections.$inferSelect;

/** Records an objection once per case; returns whether this call recorded it (false: one was there already). */
export async function recordObjection(
  db: DbExecutor,
  p: Omit<ObjectionRow, 'updatedAt' | 'reinstated' | 'abhilfe' | 'widerspruch'>,
): Promise<boolean> {
  const rows = await db
    .insert(objections)
    .values(p)
    .onConflictDoNothing({ target: objections.caseId })
    .returning({ caseId: objections.caseId });
  return rows.length > 0;
}

export async function findObjection(db: DbExecutor, { caseId }: { caseId: string }) {
  const [row] = await db.select().from(objections).where(eq(objections.caseId, caseId));
  return row;
}

/** Moves the objection's row to where its workflow stands; the same move written again changes nothing. */
export async function setObjectionStage(
  db: DbExecutor,
  p: Pick<ObjectionRow, 'caseId' | 'stage'> & Partial<Pick<ObjectionRow, 'reinstated' | 'abhilfe' | 'widerspruch'>>,
): Promise<void> {
  const { caseId, ...set } = p;
  await db
    .update(objections)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(objections.caseId, caseId));
}

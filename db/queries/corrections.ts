import { desc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { corrections } from '../schema.js';

export type CorrectionRow = typeof corrections.$inferSelect;

/**
 * Records a proposed correction; returns false where the case has one not refused already (running or issued), so two
 * corrections never run side by side.
 */
export async function recordCorrection(
  db: DbExecutor,
  p: Omit<CorrectionRow, 'updatedAt' | 'confirmedBy' | 'documentId'>,
): Promise<boolean> {
  const rows = await db
    .insert(corrections)
    .values(p)
    .onConflictDoNothing()
    .returning({ correctionId: corrections.correctionId });
  return rows.length > 0;
}

/** The case's latest correction: the one not refused where there is one. */
export async function findCorrection(db: DbExecutor, { caseId }: { caseId: string }) {
  const [row] = await db
    .select()
    .from(corrections)
    .where(eq(corrections.caseId, caseId))
    .orderBy(desc(corrections.proposedAt))
    .limit(1);
  return row;
}

/** Moves a correction to where its workflow stands; the same move written again changes nothing. */
export async function setCorrectionStage(
  db: DbExecutor,
  p: Pick<CorrectionRow, 'correctionId' | 'stage'> & Partial<Pick<CorrectionRow, 'confirmedBy' | 'documentId'>>,
): Promise<void> {
  const { correctionId, ...set } = p;
  await db
    .update(corrections)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(corrections.correctionId, correctionId));
}

import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { taskSummaries } from '../schema.js';

export interface SaveTaskSummaryParams {
  taskId: string;
  caseId: string;
  label: string;
  source: 'model' | 'fallback';
  text: string;
  sha256: string;
}

/** One summary per task; a retried activity keeps the first. */
export async function saveTaskSummary(db: DbExecutor, p: SaveTaskSummaryParams): Promise<void> {
  await db.insert(taskSummaries).values(p).onConflictDoNothing({ target: taskSummaries.taskId });
}

export async function getTaskSummary(db: DbExecutor, { taskId }: { taskId: string }) {
  const [row] = await db
    .select({
      taskId: taskSummaries.taskId,
      caseId: taskSummaries.caseId,
      label: taskSummaries.label,
      source: taskSummaries.source,
      text: taskSummaries.text,
      createdAt: taskSummaries.createdAt,
    })
    .from(taskSummaries)
    .where(eq(taskSummaries.taskId, taskId));
  return row;
}

import { and, eq, inArray } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { openValue, sealValue, sealedAt } from '../akte-sealing.js';
import { taskFollowUps } from '../schema.js';

/** A task's Wiedervorlage as the workbench shows it: the day, the note (opened), who set it and when. */
export interface FollowUp {
  taskId: string;
  followUpOn: string;
  note: string | null;
  setBy: string;
  setAt: Date;
}

export interface SetFollowUpParams {
  taskId: string;
  caseId: string;
  authorityId: string;
  /** YYYY-MM-DD. */
  followUpOn: string;
  note?: string;
  setBy: string;
}

/** Sets (or moves) a task's Wiedervorlage; the note is sealed with the authority's data key. */
export async function setFollowUp(db: DbExecutor, p: SetFollowUpParams): Promise<void> {
  const note = p.note ? await sealValue(p.authorityId, p.note, sealedAt('task_follow_ups.note', p.taskId)) : null;
  const row = { followUpOn: p.followUpOn, note, setBy: p.setBy, setAt: new Date() };
  await db
    .insert(taskFollowUps)
    .values({ taskId: p.taskId, caseId: p.caseId, authorityId: p.authorityId, ...row })
    .onConflictDoUpdate({ target: taskFollowUps.taskId, set: row });
}

/** Clears a task's Wiedervorlage; true when there was one. */
export async function clearFollowUp(db: DbExecutor, p: { taskId: string; authorityId: string }): Promise<boolean> {
  const gone = await db
    .delete(taskFollowUps)
    .where(and(eq(taskFollowUps.taskId, p.taskId), eq(taskFollowUps.authorityId, p.authorityId)))
    .returning({ taskId: taskFollowUps.taskId });
  return gone.length > 0;
}

/** The Wiedervorlagen of these tasks (one page of the inbox, or a case's tasks), by task id. */
export async function followUpsOf(db: DbExecutor, { taskIds }: { taskIds: string[] }): Promise<Map<string, FollowUp>> {
  if (!taskIds.length) return new Map();
  const rows = await db.select().from(taskFollowUps).where(inArray(taskFollowUps.taskId, taskIds));
  const opened = await Promise.all(
    rows.map(async (r) => ({
      taskId: r.taskId,
      followUpOn: r.followUpOn,
      note: ((await openValue(r.note, sealedAt('task_follow_ups.note', r.taskId))) as string | null) ?? null,
      setBy: r.setBy,
      setAt: r.setAt,
    })),
  );
  return new Map(opened.map((f) => [f.taskId, f]));
}

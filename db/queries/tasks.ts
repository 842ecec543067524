import { and, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { tasks } from '../schema.js';

export interface CreateTaskParams {
  taskId: string;
  caseId: string;
  kind: string;
  authorityId: string;
  candidateGroup: string;
  reason: string;
  dueAt: Date;
}

export async function createTask(db: DbExecutor, p: CreateTaskParams): Promise<void> {
  await db.insert(tasks).values({ ...p, state: 'open' }).onConflictDoNothing({ target: tasks.taskId });
}

export interface CompleteTaskParams {
  taskId: string;
  completedBy: string;
  outcome: string;
  justification: string;
}

export async function completeTask(db: DbExecutor, p: CompleteTaskParams): Promise<void> {
  await db
    .update(tasks)
    .set({ state: 'completed', completedAt: new Date(), completedBy: p.completedBy, outcome: p.outcome, justification: p.justification })
    .where(and(eq(tasks.taskId, p.taskId), eq(tasks.state, 'open')));
}

export async function listOpenTasks(db: DbExecutor, { authorityId }: { authorityId: string }) {
  return db
    .select({ taskId: tasks.taskId, caseId: tasks.caseId, kind: tasks.kind, reason: tasks.reason, dueAt: tasks.dueAt })
    .from(tasks)
    .where(and(eq(tasks.authorityId, authorityId), eq(tasks.state, 'open')));
}

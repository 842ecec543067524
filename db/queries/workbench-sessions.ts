import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { workbenchSessions } from '../schema.js';

export async function createWorkbenchSession(
  db: DbExecutor,
  p: { idSha256: string; staff: object; expiresAt: Date },
): Promise<void> {
  await db.insert(workbenchSessions).values(p);
}

/**
 * The session's person, if it is neither revoked, expired nor idle since `idleSince`; a live session's last use moves
 * to now, so idleness counts from the last request.
 */
export async function touchWorkbenchSession(
  db: DbExecutor,
  p: { idSha256: string; idleSince: Date; now: Date },
): Promise<unknown | undefined> {
  const rows = await db
    .update(workbenchSessions)
    .set({ lastSeenAt: p.now })
    .where(
      and(
        eq(workbenchSessions.idSha256, p.idSha256),
        isNull(workbenchSessions.revokedAt),
        gt(workbenchSessions.expiresAt, p.now),
        gt(workbenchSessions.lastSeenAt, p.idleSince),
      ),
    )
    .returning({ staff: workbenchSessions.staff });
  return rows[0]?.staff;
}

export async function revokeWorkbenchSession(db: DbExecutor, p: { idSha256: string; now: Date }): Promise<void> {
  await db
    .update(workbenchSessions)
    .set({ revokedAt: p.now })
    .where(and(eq(workbenchSessions.idSha256, p.idSha256), isNull(workbenchSessions.revokedAt)));
}

/** Forgets sessions that ended before `before` (expired, idle or revoked). */
export async function deleteEndedWorkbenchSessions(db: DbExecutor, p: { before: Date }): Promise<void> {
  await db
    .delete(workbenchSessions)
    .where(
      or(
        lt(workbenchSessions.expiresAt, p.before),
        lt(workbenchSessions.lastSeenAt, p.before),
        lt(workbenchSessions.revokedAt, p.before),
      ),
    );
}

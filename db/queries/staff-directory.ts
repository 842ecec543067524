import { and, asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { staffDirectory } from '../schema.js';

export type StaffEntry = typeof staffDirectory.$inferSelect;

/** Keeps what the identity provider said about a member of staff at login: display name and role. */
export async function recordStaffLogin(
  db: DbExecutor,
  p: { authorityId: string; staffId: string; displayName: string; role: string },
): Promise<void> {
  await db
    .insert(staffDirectory)
    .values(p)
    .onConflictDoUpdate({
      target: [staffDirectory.authorityId, staffDirectory.staffId],
      set: { displayName: p.displayName, role: p.role, lastLoginAt: new Date() },
    });
}

/** The authority's staff as the directory knows them, by name. */
export async function listColleagues(db: DbExecutor, { authorityId }: { authorityId: string }): Promise<StaffEntry[]> {
  return db
    .select()
    .from(staffDirectory)
    .where(eq(staffDirectory.authorityId, authorityId))
    .orderBy(asc(staffDirectory.displayName), asc(staffDirectory.staffId));
}

/** One member of the authority's staff as the directory knows her, if it does. */
export async function findStaff(
  db: DbExecutor,
  { authorityId, staffId }: { authorityId: string; staffId: string },
): Promise<StaffEntry | undefined> {
  const [row] = await db
    .select()
    .from(staffDirectory)
    .where(and(eq(staffDirectory.authorityId, authorityId), eq(staffDirectory.staffId, staffId)));
  return row;
}

/** Marks her absent with a substitute, or (substitute null) present again. */
export async function setAbsence(
  db: DbExecutor,
  p: { authorityId: string; staffId: string; substitute: string | null },
): Promise<boolean> {
  const rows = await db
    .update(staffDirectory)
    .set({ substitute: p.substitute, absentSince: p.substitute ? new Date() : null })
    .where(and(eq(staffDirectory.authorityId, p.authorityId), eq(staffDirectory.staffId, p.staffId)))
    .returning({ staffId: staffDirectory.staffId });
  return rows.length > 0;
}

/** Whom this person stands in for now: the absent colleagues who named her their substitute. */
export async function absentColleaguesOf(
  db: DbExecutor,
  { authorityId, substitute }: { authorityId: string; substitute: string },
): Promise<StaffEntry[]> {
  return db
    .select()
    .from(staffDirectory)
    .where(and(eq(staffDirectory.authorityId, authorityId), eq(staffDirectory.substitute, substitute)))
    .orderBy(asc(staffDirectory.displayName));
}

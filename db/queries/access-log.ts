import { asc, eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { accessLog } from '../schema.js';

export type AccessLogEntry = typeof accessLog.$inferInsert;
export type AccessLogRow = typeof accessLog.$inferSelect;

/**
 * Records one read by staff or one decode. Callers record before they answer, so a read whose record failed is not
 * answered; the table refuses UPDATE and DELETE.
 */
export async function recordAccess(db: DbExecutor, entry: AccessLogEntry): Promise<void> {
  await db.insert(accessLog).values(entry);
}

export async function accessLogForCase(db: DbExecutor, caseId: string): Promise<AccessLogRow[]> {
  return db.select().from(accessLog).where(eq(accessLog.caseId, caseId)).orderBy(asc(accessLog.id));
}

/** Every entry about one applicant (their pseudonymous subject), for the Art. 15 export. */
export async function accessLogForApplicant(db: DbExecutor, applicantSubject: string): Promise<AccessLogRow[]> {
  return db.select().from(accessLog).where(eq(accessLog.applicantSubject, applicantSubject)).orderBy(asc(accessLog.id));
}

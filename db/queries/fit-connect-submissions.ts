import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { fitConnectSubmissions } from '../schema.js';

const columns = {
  caseId: fitConnectSubmissions.caseId,
  payment: fitConnectSubmissions.payment,
  replyChannel: fitConnectSubmissions.replyChannel,
};

/** Stores what a submission's metadata said, once per case (a submission fetched again changes nothing). */
export async function recordFitConnectSubmission(
  db: DbExecutor,
  p: { caseId: string; payment: unknown; replyChannel: unknown },
): Promise<void> {
  await db
    .insert(fitConnectSubmissions)
    .values({ caseId: p.caseId, payment: p.payment ?? null, replyChannel: p.replyChannel ?? null })
    .onConflictDoNothing({ target: fitConnectSubmissions.caseId });
}

export async function findFitConnectSubmission(db: DbExecutor, { caseId }: { caseId: string }) {
  const [row] = await db.select(columns).from(fitConnectSubmissions).where(eq(fitConnectSubmissions.caseId, caseId));
  return row;
}

import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { seals } from '../schema.js';

export interface RecordSealParams {
  sealId: string;
  caseId: string;
  authorityId: string;
  sourceSha256: string;
  sealedSha256: string;
  keyId: string;
  sealedAt: Date;
}

const columns = {
  sealId: seals.sealId,
  authorityId: seals.authorityId,
  sourceSha256: seals.sourceSha256,
  sealedSha256: seals.sealedSha256,
  keyId: seals.keyId,
  sealedAt: seals.sealedAt,
};

/** Records the seal once; a retry gets the first sealed document back, never a second one. */
export async function recordSeal(db: DbExecutor, p: RecordSealParams) {
  await db.insert(seals).values(p).onConflictDoNothing({ target: seals.sealId });
  const row = await findSeal(db, { sealId: p.sealId });
  if (!row) throw new Error(`seal ${p.sealId} vanished after insert`);
  return row;
}

export async function findSeal(db: DbExecutor, { sealId }: { sealId: string }) {
  const [row] = await db.select(columns).from(seals).where(eq(seals.sealId, sealId));
  return row;
}

export async function findSealBySha256(db: DbExecutor, { sealedSha256 }: { sealedSha256: string }) {
  const [row] = await db.select(columns).from(seals).where(eq(seals.sealedSha256, sealedSha256));
  return row;
}

export async function listSealsOfCase(db: DbExecutor, { caseId }: { caseId: string }) {
  return db.select(columns).from(seals).where(eq(seals.caseId, caseId)).orderBy(seals.sealedAt);
}

import { eq, lt, sql } from 'drizzle-orm';
import type { CaseOutcome, CaseStatus, Decision } from '../../workflows/contracts/case.js';
import type { DbExecutor } from '../client.js';
import { cases } from '../schema.js';

export interface UpsertCaseParams {
  caseId: string;
  workflowId: string;
  serviceKey: string;
  authorityId: string;
  applicantSubject: string;
  ruleSetVersion: string;
  submittedAt: Date;
  /** The stage sequence of this write; only a newer one changes the row. */
  seq: number;
  status: CaseStatus;
  outcome?: CaseOutcome;
  decision?: Decision;
  bescheidSha256?: string;
}

export async function upsertCase(db: DbExecutor, p: UpsertCaseParams): Promise<void> {
  const closedAt = p.status === 'closed' ? new Date() : null;
  const changes = {
    seq: p.seq,
    status: p.status,
    updatedAt: new Date(),
    ...(p.outcome && { outcome: p.outcome }),
    ...(p.decision && { decision: p.decision }),
    ...(p.bescheidSha256 && { bescheidSha256: p.bescheidSha256 }),
    ...(closedAt && { closedAt }),
  };
  await db
    .insert(cases)
    .values({
      caseId: p.caseId,
      workflowId: p.workflowId,
      serviceKey: p.serviceKey,
      authorityId: p.authorityId,
      applicantSubject: p.applicantSubject,
      ruleSetVersion: p.ruleSetVersion,
      submittedAt: p.submittedAt,
      ...changes,
    })
    .onConflictDoUpdate({ target: cases.caseId, set: changes, setWhere: lt(cases.seq, sql`excluded.seq`) });
}

export async function getCase(db: DbExecutor, { caseId }: { caseId: string }) {
  const rows = await db
    .select({
      caseId: cases.caseId,
      workflowId: cases.workflowId,
      serviceKey: cases.serviceKey,
      authorityId: cases.authorityId,
      applicantSubject: cases.applicantSubject,
      ruleSetVersion: cases.ruleSetVersion,
      status: cases.status,
      outcome: cases.outcome,
      decision: cases.decision,
      bescheidSha256: cases.bescheidSha256,
      submittedAt: cases.submittedAt,
      closedAt: cases.closedAt,
      seq: cases.seq,
    })
    .from(cases)
    .where(eq(cases.caseId, caseId));
  return rows[0];
}

import { eq } from 'drizzle-orm';
import type { DbExecutor } from '../client.js';
import { applicantAnswers } from '../schema.js';

export interface RecordConfirmationParams {
  questionId: string;
  caseId: string;
  confirmedBy: string;
  draftSha256?: string;
  edited: boolean;
  answerSha256: string;
}

/** Records who released an answer; repeating it (a retried activity) keeps the first record. */
export async function recordConfirmation(db: DbExecutor, p: RecordConfirmationParams): Promise<void> {
  await db.insert(applicantAnswers).values(p).onConflictDoNothing({ target: applicantAnswers.questionId });
}

export async function markAnswerDelivered(
  db: DbExecutor,
  p: { questionId: string; deliveryId: string },
): Promise<void> {
  await db
    .update(applicantAnswers)
    .set({ deliveryId: p.deliveryId })
    .where(eq(applicantAnswers.questionId, p.questionId));
}

export async function listAnswers(db: DbExecutor, { caseId }: { caseId: string }) {
  return db
    .select({
      questionId: applicantAnswers.questionId,
      confirmedBy: applicantAnswers.confirmedBy,
      draftSha256: applicantAnswers.draftSha256,
      edited: applicantAnswers.edited,
      answerSha256: applicantAnswers.answerSha256,
      deliveryId: applicantAnswers.deliveryId,
    })
    .from(applicantAnswers)
    .where(eq(applicantAnswers.caseId, caseId));
}

import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { AnswerConfirmation, QuestionState } from '../workflows/contracts/assistant.js';
import { caseWorkflowId, questionWorkflowId, TASK_QUEUE } from '../workflows/contracts/ids.js';
import { caseStateQuery, confirmAnswerUpdate, questionStateQuery } from '../workflows/contracts/messages.js';
import type { applicantQuestionWorkflow } from '../workflows/applicant-question.js';

/** Applicants' questions on a case and the case worker's confirmed answers. */
export class QuestionClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue = TASK_QUEUE,
  ) {}

  /** Starts a question beside the case; a draft may follow, an answer only after a case worker confirms. */
  async ask(
    caseId: string,
    q: { recipient: string; question: string; answerWithinMs?: number },
  ): Promise<{ questionId: string }> {
    const { serviceKey } = await this.client.workflow.getHandle(caseWorkflowId(caseId)).query(caseStateQuery);
    const questionId = randomUUID();
    await this.client.workflow.start<typeof applicantQuestionWorkflow>('applicantQuestionWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: questionWorkflowId(caseId, questionId),
      args: [
        {
          caseId,
          questionId,
          serviceKey,
          recipient: q.recipient,
          question: q.question,
          answerWithinMs: q.answerWithinMs,
        },
      ],
    });
    return { questionId };
  }

  state(caseId: string, questionId: string): Promise<QuestionState> {
    return this.client.workflow.getHandle(questionWorkflowId(caseId, questionId)).query(questionStateQuery);
  }

  /** Refused with the reason when the confirmation lacks a person or a text, or came twice. */
  confirm(caseId: string, questionId: string, c: AnswerConfirmation): Promise<QuestionState> {
    return this.client.workflow
      .getHandle(questionWorkflowId(caseId, questionId))
      .executeUpdate(confirmAnswerUpdate, { args: [c] });
  }

  result(caseId: string, questionId: string): Promise<QuestionState> {
    return this.client.workflow
      .getHandle<typeof applicantQuestionWorkflow>(questionWorkflowId(caseId, questionId))
      .result();
  }
}

import { ApplicationFailure } from '@temporalio/common';
import { summariseCase, type CaseSummaryInput } from '../adapters/assistant/case-summary.js';
import { draftAnswer } from '../adapters/assistant/draft-answer.js';
import { sha256Of } from '../adapters/assistant/assistant.js';
import {
  MACHINE_LABEL,
  type ApplicantQuestionInput,
  type CaseSummaryRequest,
  type ConfirmedAnswer,
  type MachineSuggestion,
} from '../workflows/contracts/assistant.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { markAnswerDelivered, recordConfirmation } from '../db/queries/applicant-answers.js';
import { saveTaskSummary } from '../db/queries/task-summaries.js';
import { findService } from '../services/catalogue.js';
import { applicationFrom } from './antrag.js';
import type { ActivityDeps } from './deps.js';

export function createAssistantActivities({ db, assistant, documents, postbox }: ActivityDeps) {
  return {
    /** Writes the labelled summary next to an escalated task; the model's failure leaves the fact sheet. */
    async summariseForCaseWorker(i: CaseSummaryRequest): Promise<void> {
      const { antrag: _antrag, ...request } = i;
      const input: CaseSummaryInput = {
        ...request,
        application: await applicationFrom(db, i),
        serviceName: findService(i.serviceKey).name,
      };
      const s = await summariseCase(assistant, input);
      await saveTaskSummary(db, {
        taskId: i.taskId,
        caseId: i.caseId,
        label: s.label,
        source: s.source,
        text: s.text,
        sha256: s.sha256,
      });
    },

    async draftApplicantAnswer(i: ApplicantQuestionInput): Promise<MachineSuggestion | undefined> {
      return draftAnswer(assistant, {
        caseId: i.caseId,
        service: findService(i.serviceKey),
        recipient: i.recipient,
        question: i.question,
      });
    },

    /** Records who released the answer, then delivers it once. Accepts nothing but a person's confirmation. */
    async deliverConfirmedAnswer(a: ConfirmedAnswer): Promise<{ deliveryId: string }> {
      if ((a as unknown as { label?: string }).label === MACHINE_LABEL || !a.confirmedBy?.trim()) {
        throw ApplicationFailure.nonRetryable(
          'only an answer a case worker confirmed can be delivered',
          'UnconfirmedAnswer',
        );
      }
      const document = await documents.put(Buffer.from(a.text, 'utf8'), 'text/plain; charset=utf-8');
      await recordConfirmation(db, {
        questionId: a.questionId,
        caseId: a.caseId,
        confirmedBy: a.confirmedBy,
        draftSha256: a.draftSha256,
        edited: a.edited,
        answerSha256: sha256Of(a.text),
      });
      const d = await postbox.deliver({
        idempotencyKey: effectKey(a.caseId, `answer:${a.questionId}`),
        caseId: a.caseId,
        recipient: a.recipient,
        subject: `Antwort auf Ihre Frage zu Ihrem Antrag ${a.caseId}`,
        document,
      });
      await markAnswerDelivered(db, { questionId: a.questionId, deliveryId: d.deliveryId });
      return { deliveryId: d.deliveryId };
    },
  };
}

import { condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  confirmAnswer,
  confirmationProblem,
  type AnswerConfirmation,
  type ApplicantQuestionInput,
  type QuestionState,
} from './contracts/assistant.js';
import { confirmAnswerUpdate, questionStateQuery } from './contracts/messages.js';
import { HEARTBEAT_TIMEOUT } from './contracts/timeouts.js';

// The model gets one short try; a failed draft only means the case worker writes the answer alone.
const drafting = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 1 },
});
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const DEFAULT_ANSWER_WITHIN_MS = 10 * 24 * 3600_000;

/** An applicant's question: a machine draft may help, but only a case worker's confirmation sends an answer. */
export async function applicantQuestionWorkflow(input: ApplicantQuestionInput): Promise<QuestionState> {
  const state: QuestionState = { caseId: input.caseId, questionId: input.questionId, status: 'awaiting_confirmation' };
  let confirmation: AnswerConfirmation | undefined;
  setHandler(questionStateQuery, () => state);
  setHandler(confirmAnswerUpdate, (c) => ((confirmation = c), state), {
    validator: (c) => {
      if (state.status !== 'awaiting_confirmation' || confirmation)
        throw new Error('the question is no longer awaiting an answer');
      const problem = confirmationProblem(c);
      if (problem) throw new Error(problem);
    },
  });

  // Not awaited: the case worker may answer before the draft arrives, or without one.
  drafting.draftApplicantAnswer(input).then(
    (draft) => {
      state.draft = draft;
      state.draftFailed = draft === undefined;
    },
    (err: unknown) => {
      log.warn('draft failed', { error: String(err) });
      state.draftFailed = true;
    },
  );

  if (!(await condition(() => confirmation !== undefined, input.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS))) {
    state.status = 'expired';
    return state;
  }
  const answer = confirmAnswer(input, confirmation!, state.draft);
  state.confirmedBy = answer.confirmedBy;
  const { deliveryId } = await acts.deliverConfirmedAnswer(answer);
  state.deliveryId = deliveryId;
  state.status = 'delivered';
  return state;
}

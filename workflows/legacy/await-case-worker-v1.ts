// Frozen: the case-worker wait as cases started before the case journal run it (see case-workflow-v1.ts).
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { CaseDeadlines, CaseWorkerDecision } from '../contracts/case.js';
import { applicantReplyUpdate, taskActionUpdate } from '../contracts/messages.js';
import { unassertedActor } from '../trusted-actors.js';
import type { Refusal } from '../contracts/task.js';
import type { CaseWorkerTask, TaskEvent } from '../case-worker-task.js';

const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

// A refusal reaches the caller as a typed failure, so the API can answer 403, 409 or 422.
const fail = (r: Refusal | undefined): void => {
  if (r) throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
};

/**
 * The event or the deadline: waits until case workers complete the task, handling their actions as updates,
 * reminding before the due date, escalating to the supervisors after it, and closing unanswered questions.
 */
export async function awaitCaseWorker(o: {
  task: CaseWorkerTask;
  deadlines: CaseDeadlines;
  applicantSubject: string;
  /** Appends the event to the case event log. */
  record: (e: TaskEvent) => Promise<void>;
}): Promise<CaseWorkerDecision> {
  const { task } = o;
  const project = (e: TaskEvent) =>
    Promise.all([o.record(e), local.syncTask({ view: { ...task.view }, completion: task.decision })]);

  setHandler(
    taskActionUpdate,
    async (a) => {
      const event = task.apply(a, new Date(), o.deadlines.applicantReplyMs);
      if (a.action === 'ask') {
        const q = task.view.openQuestion!;
        await local.askApplicant({ caseId: task.view.caseId, recipient: o.applicantSubject, question: q });
      }
      await project(event);
      return task.view;
    },
    {
      validator: (a) => {
        fail(unassertedActor(a, task.view.caseId));
        fail(task.refusalOf(a));
      },
    },
  );
  setHandler(
    applicantReplyUpdate,
    async (r) => {
      const event = task.replied(r);
      const answer = await local.storeApplicantReply({
        caseId: task.view.caseId,
        questionId: r.questionId,
        answer: r.answer,
      });
      await project({ ...event, data: { ...event.data, answer } });
      return task.view;
    },
    { validator: (r) => fail(task.replyRefusalOf(r)) },
  );

  await project({
    type: 'task.opened',
    by: 'system',
    data: { dueAt: task.view.dueAt, followUpAt: task.view.followUpAt, fourEyes: task.view.fourEyes },
  });
  while (!task.decision) {
    const seen = task.view.version;
    const next = task.nextDeadline();
    const timeout = next ? Math.max(1, next.at - Date.now()) : undefined;
    const wake = () => task.decision !== undefined || task.view.version !== seen;
    const changed = timeout === undefined ? (await condition(wake), true) : await condition(wake, timeout);
    if (!changed && next) await project(task.deadlinePassed(next.what, new Date()));
  }
  await condition(allHandlersFinished);
  return task.decision;
}

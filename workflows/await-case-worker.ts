import { allHandlersFinished, ApplicationFailure, condition, patched, setHandler, sleep } from '@temporalio/workflow';
import type { CaseWorkerDecision } from './contracts/case.js';
import { applicantReplyUpdate, taskActionUpdate } from './contracts/messages.js';
import type { Refusal } from './contracts/task.js';
import { local } from './activity-proxies.js';
import type { CaseContext } from './case-journal.js';
import { has } from './case-shape.js';
import type { CaseWorkerTask, TaskEvent } from './case-worker-task.js';
import { unassertedActor } from './trusted-actors.js';

// A refusal reaches the caller as a typed failure, so the API can answer 403, 409 or 422.
const fail = (r: Refusal | undefined): void => {
  if (r) throw ApplicationFailure.create({ type: r.type, message: r.message, nonRetryable: true });
};

/** Cases started after this patch take case workers' actions from before their status shows `awaiting_case_worker`. */
export const TASK_HANDLERS_FIRST_PATCH = 'task-handlers-before-status';

/**
 * Cases started after this patch act on an accepted update only once its acceptance is durable: the handler's first
 * step ends the workflow task (a 1 ms timer), so the inbox row, the case row and the postbox never show an action whose
 * workflow task was lost (a timed-out workflow task under load dropped the update, while its local activities had
 * already written "claimed" or "completed"). Costs one timer per case worker's action, nothing on automated cases.
 */
export const DURABLE_ACTIONS_PATCH = 'task-actions-durable-first';

/**
 * Cases that ask the applicant from this patch on rest the task's due date while the question is open: no reminder,
 * no escalation, and the due date moves on by the time the question was open. Asked once per question, where it is
 * asked, so a case that never asks records nothing.
 */
export const DUE_RESTS_PATCH = 'task-due-rests-while-asking';

/** The task's updates, registered on a case; `opened()` lets the accepted actions go ahead once the task is opened. */
export interface TaskHandlers {
  opened(): void;
}

/**
 * Registers the case workers' and the applicant's updates on the task. An action accepted before the task's
 * `task.opened` event is recorded waits for it, so the log and the inbox row keep their order.
 */
export function listenForTaskActions(c: CaseContext, task: CaseWorkerTask, isOpen = false): TaskHandlers {
  const deadlines = c.deadlines;
  const applicantSubject = c.input.identity.subject;
  // Another accepted action may have changed the task while this one waited for the opening: ask again.
  const durableFirst = has(c.shape, DURABLE_ACTIONS_PATCH);
  const whenOpen = async (refusal: () => Refusal | undefined) => {
    if (!isOpen) {
      await condition(() => isOpen);
      fail(refusal());
    }
    if (durableFirst) {
      await sleep(1);
      fail(refusal());
    }
  };
  setHandler(
    taskActionUpdate,
    async (a) => {
      await whenOpen(() => task.refusalOf(a));
      const now = new Date();
      const event = task.apply(a, now, deadlines.applicantReplyMs);
      if (a.action === 'ask') {
        if (patched(DUE_RESTS_PATCH)) task.restDueDate(now);
        const q = task.view.openQuestion!;
        await local.askApplicant({
          caseId: task.view.caseId,
          recipient: applicantSubject,
          question: q,
          by: a.actor.id,
        });
      }
      await projectTask(c, task, event);
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
      await whenOpen(() => task.replyRefusalOf(r));
      const event = task.replied(r);
      const answer = await local.storeApplicantReply({
        caseId: task.view.caseId,
        questionId: r.questionId,
        answer: r.answer,
      });
      await projectTask(c, task, { ...event, data: { ...event.data, answer } });
      return task.view;
    },
    { validator: (r) => fail(task.replyRefusalOf(r)) },
  );
  return {
    opened: () => {
      isOpen = true;
    },
  };
}

// The task's event and its inbox row, written side by side: people act on this case while it waits.
const projectTask = (c: CaseContext, task: CaseWorkerTask, e: TaskEvent) =>
  Promise.all([
    (async () => {
      await c.journal.note(e.type, { taskId: task.view.taskId, by: e.by, ...e.data });
      await c.journal.flush();
    })(),
    local.syncTask({
      view: { ...task.view },
      completion: task.decision,
      // The note travels encrypted like every payload; the Akte keeps it, the Bescheid never reads it.
      ...(e.vermerk && {
        vermerk: {
          documentId: `${task.view.taskId}:note:v${task.view.version}`,
          ...e.vermerk,
          authorId: e.by,
          at: new Date().toISOString(),
        },
      }),
    }),
  ]);

/**
 * The event or the deadline: waits until case workers complete the task, handling their actions as updates,
 * reminding before the due date, escalating to the supervisors after it, and closing unanswered questions.
 * `handlers` are the task's updates when the case registered them before its status showed the task; cases started
 * before that patch register them here, open at once, as they always did.
 */
export async function awaitCaseWorker(
  c: CaseContext,
  task: CaseWorkerTask,
  handlers: TaskHandlers = listenForTaskActions(c, task, true),
): Promise<CaseWorkerDecision> {
  await projectTask(c, task, {
    type: 'task.opened',
    by: 'system',
    data: { dueAt: task.view.dueAt, followUpAt: task.view.followUpAt, fourEyes: task.view.fourEyes },
  });
  handlers.opened();
  while (!task.decision) {
    const seen = task.view.version;
    const next = task.nextDeadline();
    const timeout = next ? Math.max(1, next.at - Date.now()) : undefined;
    const wake = () => task.decision !== undefined || task.view.version !== seen;
    const changed = timeout === undefined ? (await condition(wake), true) : await condition(wake, timeout);
    if (!changed && next) await projectTask(c, task, task.deadlinePassed(next.what, new Date()));
  }
  await condition(allHandlersFinished);
  return task.decision;
}

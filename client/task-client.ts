import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { caseWorkflowId } from '../contracts/ids.js';
import { applicantReplyUpdate, taskActionUpdate } from '../contracts/messages.js';
import type { ApplicantReply, RefusalType, TaskAction, TaskView } from '../contracts/task.js';
import type { Database } from '../db/client.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { findTask, listTasks, type ListTasksParams } from '../db/queries/tasks.js';

/** The workflow refused the command; `type` says whether it was who asked, the task's state, or the command. */
export class CommandRefusedError extends Error {
  constructor(readonly type: RefusalType, message: string) {
    super(message);
  }
}

/** Case-worker tasks and the applicant dialogue, for Fachverfahren teams and the HTTP API alike. */
export class TaskClient {
  constructor(private readonly client: Client, private readonly db: Database) {}

  /** One authority's inbox; filters by state, service, due date and assignee, paged. */
  inbox(p: ListTasksParams) {
    return listTasks(this.db, p);
  }

  find(taskId: string) {
    return findTask(this.db, { taskId });
  }

  /** Claim, unclaim, reassign, complete or ask: accepted and applied, or refused synchronously with the reason. */
  act(caseId: string, action: TaskAction): Promise<TaskView> {
    return refusals(this.client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(taskActionUpdate, { args: [action] }));
  }

  reply(caseId: string, reply: ApplicantReply): Promise<TaskView> {
    return refusals(this.client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(applicantReplyUpdate, { args: [reply] }));
  }

  /** What happened to the case, in order: who, when and why. */
  timeline(caseId: string) {
    return listCaseEvents(this.db, { caseId });
  }
}

async function refusals<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const type = err.cause.type as RefusalType;
      throw new CommandRefusedError(['forbidden', 'conflict', 'invalid'].includes(type) ? type : 'conflict', err.cause.message);
    }
    if ((err as Error).name === 'WorkflowNotFoundError') throw new CommandRefusedError('conflict', 'the case is closed');
    throw err;
  }
}

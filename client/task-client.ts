import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { applicantReplyUpdate, taskActionUpdate } from '../workflows/contracts/messages.js';
import type { ApplicantReply, RefusalType, TaskAction, TaskView } from '../workflows/contracts/task.js';
import type { Database } from '../db/client.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { findTask, listTasks, type ListTasksParams } from '../db/queries/tasks.js';
import { signActorAssertion } from '../workflows/contracts/actor-assertion.js';
import { DEV_ACTOR_SIGNING_KEY } from '../platform/config.js';

/** The workflow refused the command; `type` says whether it was who asked, the task's state, or the command. */
export class CommandRefusedError extends Error {
  constructor(
    readonly type: RefusalType,
    message: string,
  ) {
    super(message);
  }
}

/** Case-worker tasks and the applicant dialogue, for Fachverfahren teams and the HTTP API alike. */
export class TaskClient {
  constructor(
    private readonly client: Client,
    private readonly db: Database,
    /** Signs who acts (hex Ed25519 seed, `ACTOR_SIGNING_KEY`): only the process that authenticated the person holds it. */
    private readonly signingKey: string = DEV_ACTOR_SIGNING_KEY,
  ) {}

  /** One authority's inbox; filters by state, service, due date and assignee, paged. */
  async inbox(p: ListTasksParams) {
    const page = await listTasks(this.db, p);
    return { ...page, items: page.items.map(isoDates) };
  }

  async find(taskId: string) {
    const row = await findTask(this.db, { taskId });
    return row && isoDates(row);
  }

  /** Claim, unclaim, reassign, complete or ask: accepted and applied, or refused synchronously with the reason. */
  act(caseId: string, action: TaskAction): Promise<TaskView> {
    const { assertion: _, ...unsigned } = action;
    const signed = { ...unsigned, assertion: signActorAssertion(this.signingKey, caseId, unsigned, Date.now()) };
    return refusals(
      this.client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(taskActionUpdate, { args: [signed] }),
    );
  }

  reply(caseId: string, reply: ApplicantReply): Promise<TaskView> {
    return refusals(
      this.client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(applicantReplyUpdate, { args: [reply] }),
    );
  }

  /** What happened to the case, in order: who, when and why. */
  async timeline(caseId: string) {
    return (await listCaseEvents(this.db, { caseId })).map(isoDates);
  }
}

type IsoDates<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

// Timestamps leave as ISO strings, the same shape the workflow's views use.
function isoDates<T extends object>(row: T): IsoDates<T> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  ) as IsoDates<T>;
}

async function refusals<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const type = err.cause.type as RefusalType;
      throw new CommandRefusedError(
        ['forbidden', 'conflict', 'invalid'].includes(type) ? type : 'conflict',
        err.cause.message,
      );
    }
    if ((err as Error).name === 'WorkflowNotFoundError')
      throw new CommandRefusedError('conflict', 'the case is closed');
    throw err;
  }
}

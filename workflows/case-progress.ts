import type { CaseInput, CaseOutcome, CaseState, CaseStatus, Decision } from './contracts/case.js';
import type { TaskView } from './contracts/task.js';

/**
 * The case's state and the rules for changing it, free of Temporal APIs so it can be tested without a server.
 * The workflow owns one instance; queries read it. The case-worker task's own rules live in `case-worker-task.ts`.
 */
export class CaseProgress {
  readonly state: CaseState;
  /** The fee transaction the case waits on, so a withdrawal can close it at the provider; not part of the state. */
  openPayment?: string;
  private seq = 0;

  constructor(input: CaseInput) {
    this.state = {
      caseId: input.caseId,
      serviceKey: input.serviceKey,
      authorityId: input.authorityId,
      status: 'received',
      applicantSubject: input.identity.subject,
      history: [],
    };
  }

  /** Moves to a new status and returns the event sequence number for the database record. */
  enter(status: CaseStatus, at: Date): number {
    if (this.state.status === 'closed') throw new Error(`case ${this.state.caseId} is closed`);
    this.state.status = status;
    this.state.history.push({ status, at: at.toISOString() });
    return this.nextSeq();
  }

  nextSeq(): number {
    return ++this.seq;
  }

  decided(decision: Decision): void {
    this.state.decision = decision;
  }

  closed(outcome: CaseOutcome): void {
    this.state.outcome = outcome;
  }

  /** The task object is shared, so the query always shows its current state. */
  openTask(task: TaskView): void {
    this.state.openTaskId = task.taskId;
    this.state.task = task;
  }

  taskClosed(): void {
    this.state.openTaskId = undefined;
  }
}

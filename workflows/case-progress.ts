import type { CaseInput, CaseOutcome, CaseState, CaseStatus, CaseWorkerDecision, Decision } from '../contracts/case.js';

/**
 * The case's state and the rules for changing it, free of Temporal APIs so it can be tested without a server.
 * The workflow owns one instance; queries read it, the case-worker update writes through `acceptDecision`.
 */
export class CaseProgress {
  readonly state: CaseState;
  private seq = 0;
  caseWorkerDecision?: CaseWorkerDecision;

  constructor(input: CaseInput) {
    this.state = {
      caseId: input.caseId,
      serviceKey: input.serviceKey,
      authorityId: input.authorityId,
      status: 'received',
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

  openTask(taskId: string): void {
    this.state.openTaskId = taskId;
    this.caseWorkerDecision = undefined;
  }

  /** Why a case worker's decision cannot be taken now, or undefined when it can. */
  rejectionOf(d: CaseWorkerDecision): string | undefined {
    if (this.state.status !== 'awaiting_case_worker' || !this.state.openTaskId) return 'the case is not waiting for a case worker';
    if (d.taskId !== this.state.openTaskId) return `task ${d.taskId} is not the open task of this case`;
    if (this.caseWorkerDecision) return 'the task has already been decided';
    if (d.outcome !== 'approve' && d.outcome !== 'reject') return 'outcome must be approve or reject';
    if (!d.caseWorker?.trim()) return 'the case worker must be named';
    if (!d.justification?.trim()) return 'a written justification is required';
    return undefined;
  }

  acceptDecision(d: CaseWorkerDecision): void {
    const why = this.rejectionOf(d);
    if (why) throw new Error(why);
    this.caseWorkerDecision = d;
  }

  taskClosed(): void {
    this.state.openTaskId = undefined;
  }
}

import type { CaseWorkerDecision } from './contracts/case.js';
import {
  caseWorkerGroup,
  supervisorGroup,
  type ApplicantReply,
  type Refusal,
  type TaskAction,
  type TaskView,
} from './contracts/task.js';

export interface NewTask {
  taskId: string;
  caseId: string;
  serviceKey: string;
  authorityId: string;
  applicantSubject: string;
  reason: string;
  fourEyes: boolean;
  openedAt: Date;
  dueInMs: number;
  remindBeforeMs: number;
  /** The service's group for the decision (from the case's plan); cases planned before it: `<authority>:sachbearbeitung`. */
  candidateGroup?: string;
}

/** What happened to the task, for the case event log: who, why, and what changed. */
export interface TaskEvent {
  type: string;
  by: string;
  data: Record<string, unknown>;
  /** An internal note the action leaves in the Akte (justification, approval, send-back): never sent to the applicant. */
  vermerk?: { title: string; text: string };
}

const refuse = (type: Refusal['type'], message: string): Refusal => ({ type, message });

// Bounds on what people can repeat on one task, so the case's history stays bounded too (each action is a few events).
export const MAX_QUESTIONS = 10;
export const MAX_HANDOVERS = 50;

/**
 * A case-worker task and the rules for changing it, free of Temporal APIs so it can be tested without a server.
 * The workflow owns one instance; update validators ask `refusalOf`, handlers call `apply`.
 */
export class CaseWorkerTask {
  readonly view: TaskView;
  decision?: CaseWorkerDecision;
  private readonly applicantSubject: string;
  private questions = 0;
  private handovers = 0;

  constructor(t: NewTask) {
    const dueAt = t.openedAt.getTime() + t.dueInMs;
    this.applicantSubject = t.applicantSubject;
    this.view = {
      taskId: t.taskId,
      caseId: t.caseId,
      kind: 'review_decision',
      serviceKey: t.serviceKey,
      authorityId: t.authorityId,
      candidateGroup: t.candidateGroup ?? caseWorkerGroup(t.authorityId),
      reason: t.reason,
      priority: 'normal',
      dueAt: new Date(dueAt).toISOString(),
      followUpAt: new Date(Math.max(t.openedAt.getTime(), dueAt - t.remindBeforeMs)).toISOString(),
      state: 'open',
      stage: 'decision',
      fourEyes: t.fourEyes,
      version: 1,
    };
  }

  /** Why this action cannot be taken now, or undefined when it can. */
  refusalOf(a: TaskAction): Refusal | undefined {
    const v = this.view;
    const actor = a.actor;
    if (a.taskId !== v.taskId) return refuse('conflict', `task ${a.taskId} is not the open task of this case`);
    if (!actor?.id?.trim()) return refuse('invalid', 'the acting person must be named');
    if (actor.role !== 'case_worker' && actor.role !== 'supervisor')
      return refuse('forbidden', 'only case workers and supervisors act on tasks');
    if (actor.authorityId !== v.authorityId) return refuse('forbidden', 'the task belongs to another authority');
    if (v.state === 'completed' || v.state === 'cancelled') return refuse('conflict', `the task is ${v.state}`);
    const isAssignee = v.state === 'claimed' && v.assignee === actor.id;
    const secondLook = v.stage === 'second_approval' && v.proposal;
    if (
      (a.action === 'claim' || a.action === 'unclaim' || a.action === 'reassign' || a.action === 'send_back') &&
      this.handovers >= MAX_HANDOVERS
    )
      return refuse(
        'conflict',
        `the task changed hands ${MAX_HANDOVERS} times; the current assignee or a supervisor must complete it`,
      );
    switch (a.action) {
      case 'claim':
        if (v.state !== 'open') return refuse('conflict', `the task is already claimed by ${v.assignee}`);
        if (v.candidateGroup === supervisorGroup(v.authorityId) && actor.role !== 'supervisor')
          return refuse('forbidden', 'the task is overdue and escalated to the supervisors');
        if (secondLook && v.proposal!.by === actor.id)
          return refuse('forbidden', 'four-eyes: the second approval must come from a different person');
        return undefined;
      case 'unclaim':
        if (v.state !== 'claimed') return refuse('conflict', 'the task is not claimed');
        if (!isAssignee && actor.role !== 'supervisor')
          return refuse('forbidden', `the task is claimed by ${v.assignee}`);
        return undefined;
      case 'reassign':
        if (!isAssignee && actor.role !== 'supervisor')
          return refuse('forbidden', 'only the assignee or a supervisor can reassign the task');
        if (!a.assignee?.trim()) return refuse('invalid', 'the new assignee must be named');
        if (!a.reason?.trim()) return refuse('invalid', 'a reason for the reassignment is required');
        if (secondLook && v.proposal!.by === a.assignee)
          return refuse('forbidden', 'four-eyes: the second approval must come from a different person');
        return undefined;
      case 'complete':
        if (!isAssignee)
          return refuse(
            v.state === 'open' ? 'conflict' : 'forbidden',
            v.state === 'open' ? 'claim the task first' : `the task is claimed by ${v.assignee}`,
          );
        if (a.outcome !== 'approve' && a.outcome !== 'reject')
          return refuse('invalid', 'outcome must be approve or reject');
        if (!a.justification?.trim()) return refuse('invalid', 'a written justification is required');
        if (v.openQuestion) return refuse('conflict', "the case is waiting for the applicant's reply");
        if (secondLook && v.proposal!.by === actor.id)
          return refuse('forbidden', 'four-eyes: the second approval must come from a different person');
        if (secondLook && v.proposal!.outcome !== a.outcome)
          return refuse(
            'conflict',
            `four-eyes: the proposed outcome is ${v.proposal!.outcome}; a second person can only confirm it`,
          );
        return undefined;
      case 'ask':
        if (!isAssignee) return refuse('forbidden', 'only the assignee can ask the applicant');
        if (v.openQuestion) return refuse('conflict', 'a question to the applicant is already open');
        if (a.kind !== 'question' && a.kind !== 'document')
          return refuse('invalid', 'kind must be question or document');
        if (!a.text?.trim()) return refuse('invalid', 'the question must not be empty');
        if (this.questions >= MAX_QUESTIONS)
          return refuse('conflict', `${MAX_QUESTIONS} questions have been asked on this task; decide on what is there`);
        return undefined;
      case 'send_back':
        if (!secondLook) return refuse('conflict', 'only a proposal waiting for its second approval can be sent back');
        if (!isAssignee)
          return refuse(
            v.state === 'open' ? 'conflict' : 'forbidden',
            v.state === 'open' ? 'claim the task first' : `the task is claimed by ${v.assignee}`,
          );
        if (!a.note?.trim()) return refuse('invalid', 'a note for the first case worker is required');
        return undefined;
      default:
        return refuse('invalid', 'unknown action');
    }
  }

  /** Applies an action that `refusalOf` accepted; `replyDueInMs` is the applicant's deadline for `ask`. */
  apply(a: TaskAction, now: Date, replyDueInMs: number): TaskEvent {
    const refusal = this.refusalOf(a);
    if (refusal) throw new Error(refusal.message);
    const v = this.view;
    v.version++;
    if (a.action === 'claim' || a.action === 'unclaim' || a.action === 'reassign' || a.action === 'send_back')
      this.handovers++;
    const by = a.actor.id;
    switch (a.action) {
      case 'claim':
        v.state = 'claimed';
        v.assignee = by;
        return { type: 'task.claimed', by, data: { stage: v.stage } };
      case 'unclaim':
        v.state = 'open';
        v.assignee = undefined;
        return { type: 'task.unclaimed', by, data: { reason: a.reason } };
      case 'reassign':
        v.state = 'claimed';
        v.assignee = a.assignee;
        return { type: 'task.reassigned', by, data: { assignee: a.assignee, reason: a.reason } };
      case 'ask': {
        const askedAt = now.toISOString();
        const dueAt = new Date(now.getTime() + replyDueInMs).toISOString();
        v.openQuestion = { questionId: `${v.taskId}:q${++this.questions}`, kind: a.kind, text: a.text, askedAt, dueAt };
        return { type: 'applicant.asked', by, data: { questionId: v.openQuestion.questionId, kind: a.kind, dueAt } };
      }
      case 'send_back': {
        const first = v.proposal!.by;
        v.stage = 'decision';
        v.state = 'claimed';
        v.assignee = first;
        v.proposal = undefined;
        v.sentBack = { by, note: a.note, at: now.toISOString() };
        return {
          type: 'task.sent_back',
          by,
          data: { assignee: first },
          vermerk: { title: 'Zurück an die Sachbearbeitung (Vier-Augen-Prüfung)', text: a.note },
        };
      }
      case 'complete': {
        const reasons = a.reasonsForApplicant?.trim() ? a.reasonsForApplicant : undefined;
        if (v.fourEyes && v.stage === 'decision') {
          v.stage = 'second_approval';
          v.state = 'open';
          v.assignee = undefined;
          v.sentBack = undefined;
          v.proposal = {
            outcome: a.outcome,
            by,
            justification: a.justification,
            ...(reasons && { reasonsForApplicant: reasons }),
          };
          return {
            type: 'task.proposed',
            by,
            data: { outcome: a.outcome, justification: a.justification },
            vermerk: { title: 'Begründung des Entscheidungsvorschlags (intern)', text: a.justification },
          };
        }
        v.state = 'completed';
        v.sentBack = undefined;
        const proposal = v.proposal;
        this.decision = proposal
          ? {
              taskId: v.taskId,
              caseWorker: proposal.by,
              confirmedBy: by,
              outcome: a.outcome,
              justification: proposal.justification,
              ...(proposal.reasonsForApplicant && { reasonsForApplicant: proposal.reasonsForApplicant }),
              approval: a.justification,
            }
          : {
              taskId: v.taskId,
              caseWorker: by,
              outcome: a.outcome,
              justification: a.justification,
              ...(reasons && { reasonsForApplicant: reasons }),
            };
        return {
          type: 'task.completed',
          by,
          data: {
            outcome: a.outcome,
            justification: a.justification,
            ...(proposal && { proposedBy: proposal.by }),
          },
          vermerk: proposal
            ? { title: 'Freigabe (Vier-Augen-Prüfung, intern)', text: a.justification }
            : { title: 'Begründung der Entscheidung (intern)', text: a.justification },
        };
      }
    }
  }

  /** Why the applicant's reply cannot be taken now, or undefined when it can. */
  replyRefusalOf(r: ApplicantReply): Refusal | undefined {
    if (r.subject !== this.applicantSubject) return refuse('forbidden', 'only the applicant can reply');
    const q = this.view.openQuestion;
    if (!q || q.questionId !== r.questionId) return refuse('conflict', `question ${r.questionId} is not open`);
    if (!r.answer?.trim()) return refuse('invalid', 'the answer must not be empty');
    return undefined;
  }

  replied(r: ApplicantReply): TaskEvent {
    const refusal = this.replyRefusalOf(r);
    if (refusal) throw new Error(refusal.message);
    this.view.openQuestion = undefined;
    this.view.version++;
    return { type: 'applicant.replied', by: 'applicant', data: { questionId: r.questionId } };
  }

  /** The next deadline the case waits for, and what it means when it passes. */
  nextDeadline(): { at: number; what: 'remind' | 'escalate' | 'reply_overdue' } | undefined {
    const v = this.view;
    const candidates: Array<{ at: number; what: 'remind' | 'escalate' | 'reply_overdue' }> = [];
    if (v.openQuestion) candidates.push({ at: Date.parse(v.openQuestion.dueAt), what: 'reply_overdue' });
    if (!v.remindedAt) candidates.push({ at: Date.parse(v.followUpAt), what: 'remind' });
    else if (!v.escalatedAt) candidates.push({ at: Date.parse(v.dueAt), what: 'escalate' });
    return candidates.sort((a, b) => a.at - b.at)[0];
  }

  /** A deadline passed: remind before the due date, escalate to the supervisors after it, close an unanswered question. */
  deadlinePassed(what: 'remind' | 'escalate' | 'reply_overdue', now: Date): TaskEvent {
    const v = this.view;
    v.version++;
    if (what === 'remind') {
      v.remindedAt = now.toISOString();
      return {
        type: 'task.reminder',
        by: 'system',
        data: { dueAt: v.dueAt, assignee: v.assignee, candidateGroup: v.candidateGroup },
      };
    }
    if (what === 'escalate') {
      v.escalatedAt = now.toISOString();
      v.candidateGroup = supervisorGroup(v.authorityId);
      v.priority = 'high';
      return { type: 'task.escalated', by: 'system', data: { dueAt: v.dueAt, candidateGroup: v.candidateGroup } };
    }
    const questionId = v.openQuestion?.questionId;
    v.openQuestion = undefined;
    return { type: 'applicant.reply_overdue', by: 'system', data: { questionId } };
  }
}

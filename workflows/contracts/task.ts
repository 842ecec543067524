// Case-worker tasks: types shared by workflow, activities, database, client and API. Imports nothing heavy.

export const TASK_STATES = ['open', 'claimed', 'completed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const STAFF_ROLES = ['case_worker', 'supervisor', 'operator', 'budget_office'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who acts on a task, as the verified token says; the workflow checks role and authority again. */
export interface StaffActor {
  id: string;
  role: StaffRole;
  authorityId: string;
}

/** `decision` is the first (or only) decision; `second_approval` waits for a different person under four-eyes. */
export type TaskStage = 'decision' | 'second_approval';

/** `assertion`: the signed statement of who acts (contracts/actor-assertion.ts); the validator refuses an action without one. */
export type TaskAction = (
  | { action: 'claim'; taskId: string; actor: StaffActor }
  | { action: 'unclaim'; taskId: string; actor: StaffActor; reason?: string }
  | { action: 'reassign'; taskId: string; actor: StaffActor; assignee: string; reason: string }
  | {
      action: 'complete';
      taskId: string;
      actor: StaffActor;
      outcome: 'approve' | 'reject';
      /** Internal: why, for the file (a Vermerk); never printed in the Bescheid. Under four-eyes' second look, the approval record. */
      justification: string;
      /** What the Bescheid prints under „Gründe“ (the first decision only; a second approval confirms, it adds no reason). */
      reasonsForApplicant?: string;
    }
  | { action: 'ask'; taskId: string; actor: StaffActor; kind: QuestionKind; text: string }
  /** Four-eyes: the second person sends the proposal back to the first case worker, with a note for her. */
  | { action: 'send_back'; taskId: string; actor: StaffActor; note: string }
) & { assertion?: string };

export type QuestionKind = 'question' | 'document';

/** A question or document request to the applicant; the case waits for the reply until `dueAt`. */
export interface ApplicantQuestion {
  questionId: string;
  kind: QuestionKind;
  text: string;
  askedAt: string;
  dueAt: string;
}

export interface ApplicantReply {
  questionId: string;
  /** The applicant's pseudonymous subject from the verified token. */
  subject: string;
  answer: string;
}

/** The task as the workflow holds it; the `tasks` row is its projection. */
export interface TaskView {
  taskId: string;
  caseId: string;
  kind: string;
  serviceKey: string;
  authorityId: string;
  candidateGroup: string;
  /** Why the rules escalated the case. */
  reason: string;
  assignee?: string;
  priority: 'normal' | 'high';
  dueAt: string;
  followUpAt: string;
  state: TaskState;
  stage: TaskStage;
  fourEyes: boolean;
  proposal?: { outcome: 'approve' | 'reject'; by: string; justification: string; reasonsForApplicant?: string };
  /** The second person sent the last proposal back: who, why, when; cleared by the next proposal. */
  sentBack?: { by: string; note: string; at: string };
  openQuestion?: ApplicantQuestion;
  remindedAt?: string;
  escalatedAt?: string;
  /** Grows with every change, so an older projection write never overwrites a newer one. */
  version: number;
}

/** Why a command was refused: `forbidden` (who), `conflict` (the task's state), `invalid` (the command itself). */
export type RefusalType = 'forbidden' | 'conflict' | 'invalid';
export interface Refusal {
  type: RefusalType;
  message: string;
}

export const caseWorkerGroup = (authorityId: string): string => `${authorityId}:sachbearbeitung`;
export const supervisorGroup = (authorityId: string): string => `${authorityId}:aufsicht`;

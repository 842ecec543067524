import type { AntragRef, Decision } from './case.js';

// Types of the optional dialogue assistant, shared by workflows, activities and client. Imports nothing heavy.
// The line the assistant cannot cross is drawn here in types: what a model writes is a MachineSuggestion, and no
// decision input or delivery accepts one; only a case worker's confirmation makes a deliverable ConfirmedAnswer.

declare const machineGenerated: unique symbol;
declare const confirmedByPerson: unique symbol;

export const MACHINE_LABEL = 'Maschinell erstellt – nicht geprüft, nicht bindend';

export type SuggestionKind = 'service_ranking' | 'case_summary' | 'draft_answer';

/** Text a model (or the deterministic fallback standing in for it) wrote. Never a decision, never sent as is. */
export interface MachineSuggestion {
  readonly [machineGenerated]: true;
  readonly kind: SuggestionKind;
  readonly text: string;
  readonly label: typeof MACHINE_LABEL;
  /** `model` when a model answered; `fallback` when the deterministic route wrote it (model off, slow or failing). */
  readonly source: 'model' | 'fallback';
  /** SHA-256 of the text, so a confirmation can say which draft it started from. */
  readonly sha256: string;
  /** SHA-256 of the minimised prompt that left the engine; absent when nothing was sent. */
  readonly promptSha256?: string;
}

/** Only the assistant activities build suggestions; the cast lives here so it is greppable. */
export const asMachineSuggestion = (s: Omit<MachineSuggestion, typeof machineGenerated | 'label'>): MachineSuggestion =>
  ({ ...s, label: MACHINE_LABEL }) as MachineSuggestion;

/** What a case worker sends to release an answer: who they are and the final text, edited or not. */
export interface AnswerConfirmation {
  caseWorker: string;
  text: string;
}

/** An answer a named person released. The only thing `deliverConfirmedAnswer` accepts. */
export interface ConfirmedAnswer {
  readonly [confirmedByPerson]: true;
  readonly caseId: string;
  readonly questionId: string;
  readonly recipient: string;
  readonly text: string;
  readonly confirmedBy: string;
  /** The draft the case worker saw, if one had arrived; undefined when they wrote without one. */
  readonly draftSha256?: string;
  readonly edited: boolean;
}

/** Why a confirmation cannot be taken, or undefined when it can. */
export function confirmationProblem(c: AnswerConfirmation): string | undefined {
  if (typeof c?.caseWorker !== 'string' || !c.caseWorker.trim()) return 'the confirming case worker must be named';
  if (typeof c.text !== 'string' || !c.text.trim()) return 'the answer text must not be empty';
  if (c.text.length > 20_000) return 'the answer text is too long';
  return undefined;
}

/** The one way to a ConfirmedAnswer: a person's confirmation, checked, with the draft it may have edited. */
export function confirmAnswer(
  q: { caseId: string; questionId: string; recipient: string },
  c: AnswerConfirmation,
  draft: MachineSuggestion | undefined,
): ConfirmedAnswer {
  const problem = confirmationProblem(c);
  if (problem) throw new Error(problem);
  return {
    caseId: q.caseId,
    questionId: q.questionId,
    recipient: q.recipient,
    text: c.text,
    confirmedBy: c.caseWorker.trim(),
    draftSha256: draft?.sha256,
    edited: draft === undefined || draft.text !== c.text,
  } as ConfirmedAnswer;
}

export interface ApplicantQuestionInput {
  caseId: string;
  questionId: string;
  serviceKey: string;
  /** Pseudonymous subject of the applicant; the postbox resolves the address. */
  recipient: string;
  question: string;
  /** How long a case worker has to answer before the question is closed unanswered. */
  answerWithinMs?: number;
}

export type QuestionStatus = 'awaiting_confirmation' | 'delivered' | 'expired';

export interface QuestionState {
  caseId: string;
  questionId: string;
  status: QuestionStatus;
  /** The machine draft, once it arrived; labelled and never delivered as is. */
  draft?: MachineSuggestion;
  draftFailed?: boolean;
  confirmedBy?: string;
  deliveryId?: string;
}

export interface ServiceMatch {
  key: string;
  name: string;
  score: number;
  /** Why the deterministic search matched (the words found). */
  matched: string[];
}

export interface ServiceSearchResult {
  query: string;
  matches: ServiceMatch[];
  /** The model's re-ranking explanation, labelled; absent when the model is off or failed. */
  explanation?: MachineSuggestion;
  ranking: 'deterministic' | 'model';
}

/** What the summary of an escalated task is built from: the application and the rules' escalation, nothing else. */
export interface CaseSummaryRequest {
  caseId: string;
  taskId: string;
  serviceKey: string;
  subject: string;
  /** The Akte's reference to the application (claim-check); inline only in cases started before the Akte. */
  application?: Record<string, unknown>;
  antrag?: AntragRef;
  escalation: Decision;
}

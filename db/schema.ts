import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { CASE_OUTCOMES, CASE_STATUSES } from '../contracts/case.js';

export const caseStatus = pgEnum('case_status', CASE_STATUSES);
export const caseOutcome = pgEnum('case_outcome', CASE_OUTCOMES);

/** Read model of each case; the workflow is the truth and writes here through activities. */
export const cases = pgTable(
  'cases',
  {
    caseId: text('case_id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    serviceKey: text('service_key').notNull(),
    authorityId: text('authority_id').notNull(),
    ruleSetVersion: text('rule_set_version').notNull(),
    status: caseStatus('status').notNull(),
    outcome: caseOutcome('outcome'),
    decision: jsonb('decision'),
    bescheidSha256: text('bescheid_sha256'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('cases_service_status_idx').on(t.serviceKey, t.status), index('cases_authority_idx').on(t.authorityId)],
);

/** Append-only log of what happened to a case; `seq` comes from the workflow, so a retried write is a no-op. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    status: caseStatus('status').notNull(),
    data: jsonb('data').notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('case_events_case_seq_uq').on(t.caseId, t.seq)],
);

export const tasks = pgTable(
  'tasks',
  {
    taskId: text('task_id').primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind').notNull(),
    authorityId: text('authority_id').notNull(),
    candidateGroup: text('candidate_group').notNull(),
    state: text('state', { enum: ['open', 'claimed', 'completed', 'cancelled'] }).notNull(),
    reason: text('reason').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    completedBy: text('completed_by'),
    outcome: text('outcome'),
    justification: text('justification'),
  },
  (t) => [index('tasks_authority_state_idx').on(t.authorityId, t.state)],
);

/** One row per payment effect; the primary key is the idempotency key, so a retry finds the first booking. */
export const payments = pgTable('payments', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  caseId: text('case_id').notNull(),
  amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  account: text('account').notNull(),
  reference: text('reference').notNull(),
  status: text('status', { enum: ['paid'] }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The postbox sandbox: what was delivered to whom, once per idempotency key. */
export const deliveries = pgTable('deliveries', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  deliveryId: text('delivery_id').notNull(),
  caseId: text('case_id').notNull(),
  recipient: text('recipient').notNull(),
  channel: text('channel').notNull(),
  subject: text('subject').notNull(),
  documentSha256: text('document_sha256').notNull(),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Audit of every prompt that left the engine: by hash only, never the text. */
export const assistantCalls = pgTable(
  'assistant_calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id'),
    purpose: text('purpose').notNull(),
    model: text('model'),
    promptSha256: text('prompt_sha256').notNull(),
    outcome: text('outcome').notNull(),
    responseSha256: text('response_sha256'),
    latencyMs: integer('latency_ms'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('assistant_calls_case_idx').on(t.caseId)],
);

/** The machine-written summary shown with a case-worker task, labelled as such. */
export const taskSummaries = pgTable('task_summaries', {
  taskId: text('task_id').primaryKey(),
  caseId: text('case_id').notNull(),
  label: text('label').notNull(),
  source: text('source', { enum: ['model', 'fallback'] }).notNull(),
  text: text('text').notNull(),
  sha256: text('sha256').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Answers to applicants' questions: who released which text, from which draft. No row, no delivery. */
export const applicantAnswers = pgTable('applicant_answers', {
  questionId: text('question_id').primaryKey(),
  caseId: text('case_id').notNull(),
  confirmedBy: text('confirmed_by').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull().defaultNow(),
  draftSha256: text('draft_sha256'),
  edited: boolean('edited').notNull(),
  answerSha256: text('answer_sha256').notNull(),
  deliveryId: text('delivery_id'),
});

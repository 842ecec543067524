import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { CASE_OUTCOMES, CASE_STATUSES } from '../contracts/case.js';
import { TASK_STATES } from '../contracts/task.js';

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
    /** Pseudonymous subject of the applicant, so applicants see only their own cases. */
    applicantSubject: text('applicant_subject'),
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

/** Projection of each case-worker task; the workflow holds the truth and writes here with a growing `version`. */
export const tasks = pgTable(
  'tasks',
  {
    taskId: text('task_id').primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind').notNull(),
    serviceKey: text('service_key').notNull(),
    authorityId: text('authority_id').notNull(),
    candidateGroup: text('candidate_group').notNull(),
    reason: text('reason').notNull(),
    assignee: text('assignee'),
    priority: text('priority', { enum: ['normal', 'high'] }).notNull(),
    state: text('state', { enum: TASK_STATES }).notNull(),
    stage: text('stage', { enum: ['decision', 'second_approval'] }).notNull(),
    fourEyes: boolean('four_eyes').notNull(),
    proposedBy: text('proposed_by'),
    proposedOutcome: text('proposed_outcome'),
    openQuestionId: text('open_question_id'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    followUpAt: timestamp('follow_up_at', { withTimezone: true }).notNull(),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    version: integer('version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    completedBy: text('completed_by'),
    confirmedBy: text('confirmed_by'),
    outcome: text('outcome'),
    justification: text('justification'),
  },
  (t) => [index('tasks_authority_state_idx').on(t.authorityId, t.state), index('tasks_authority_due_idx').on(t.authorityId, t.dueAt)],
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

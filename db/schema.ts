import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { CASE_OUTCOMES, CASE_STATUSES } from '../workflows/contracts/case.js';
import { TASK_STATES } from '../workflows/contracts/task.js';
import { OBJECTION_STAGES } from '../workflows/contracts/objection.js';
import { CORRECTION_EFFECTS, CORRECTION_KINDS, CORRECTION_STAGES } from '../workflows/contracts/correction.js';

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
    /** Stage sequence of the write that produced this row: an older (late, superseded) write never overwrites it. */
    seq: integer('seq').notNull().default(0),
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
    /** Hash of the case's previous entry (empty for the first): removing or changing an entry breaks the chain. */
    prevHash: text('prev_hash'),
    /** SHA-256 over prevHash and this entry's canonical JSON (RFC 8785). */
    hash: text('hash'),
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
  (t) => [
    // The inbox (db/queries/tasks.ts listTasks, http/workbench/inbox.ts): one authority, a state, earliest due first, the task
    // id as tie-breaker; the page and its count come from the index alone. Replaces (authority_id, state), its prefix.
    index('tasks_inbox_idx').on(t.authorityId, t.state, t.dueAt, t.taskId),
    // The workbench's default page (open and claimed tasks): ordered by the index, no sort over the authority's tasks.
    index('tasks_inbox_active_idx').on(t.authorityId, t.dueAt, t.taskId).where(sql`${t.state} in ('open', 'claimed')`),
    index('tasks_authority_due_idx').on(t.authorityId, t.dueAt),
  ],
);

/**
 * A follow-up date (Wiedervorlage) a case worker set on a task, with an optional note (sealed at rest with the
 * authority's data key, db/akte-sealing.ts). Kept apart from `tasks`, the workflow's projection, which the workflow
 * rewrites with every change: the Wiedervorlage belongs to the workbench, not to the case's course.
 */
export const taskFollowUps = pgTable(
  'task_follow_ups',
  {
    taskId: text('task_id').primaryKey(),
    caseId: text('case_id').notNull(),
    authorityId: text('authority_id').notNull(),
    /** The day (Europe/Berlin) the task comes up again, YYYY-MM-DD. */
    followUpOn: date('follow_up_on', { mode: 'string' }).notNull(),
    note: jsonb('note'),
    setBy: text('set_by').notNull(),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('task_follow_ups_authority_day_idx').on(t.authorityId, t.followUpOn),
    index('task_follow_ups_case_idx').on(t.caseId),
  ],
);

/** One row per money effect of a case (fee, refund, pay-out); the primary key is its idempotency key. */
export const payments = pgTable(
  'payments',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind', { enum: ['fee', 'refund', 'payout', 'reclaim'] }).notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /** The authority's account the money is booked on. */
    account: text('account').notNull(),
    providerTransactionId: text('provider_transaction_id').notNull(),
    paymentPageUrl: text('payment_page_url'),
    /** Kassenzeichen or transfer reference, set once settled. */
    reference: text('reference'),
    status: text('status', {
      enum: ['open', 'paid', 'failed', 'abandoned', 'cancelled', 'refunded', 'paid_out'],
    }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [
    index('payments_case_idx').on(t.caseId),
    uniqueIndex('payments_provider_tx_uq').on(t.kind, t.providerTransactionId),
  ],
);

/** Booking records for the budget and accounting system (HKR), one per settled money effect. */
export const hkrBookings = pgTable(
  'hkr_bookings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The payment's idempotency key: a retried settlement finds its booking instead of booking twice. */
    bookingKey: text('booking_key').notNull(),
    caseId: text('case_id').notNull(),
    serviceKey: text('service_key').notNull(),
    authorityId: text('authority_id').notNull(),
    kind: text('kind', { enum: ['fee', 'refund', 'payout'] }).notNull(),
    /** `in`: money received (Einzahlung); `out`: money paid (Auszahlung). */
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    account: text('account').notNull(),
    transactionReference: text('transaction_reference').notNull(),
    providerTransactionId: text('provider_transaction_id').notNull(),
    bookedAt: timestamp('booked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('hkr_bookings_key_uq').on(t.bookingKey), index('hkr_bookings_booked_at_idx').on(t.bookedAt)],
);

/** Webhook ids already accepted: a replay of a signed webhook inside its time window is refused. */
export const paymentWebhookEvents = pgTable('payment_webhook_events', {
  webhookId: text('webhook_id').primaryKey(),
  transactionId: text('transaction_id').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
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

/** Every decision the rules took, with its explanation; one per case, keyed by the effect key so a retry stores it once. */
export const decisions = pgTable(
  'decisions',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    caseId: text('case_id').notNull(),
    serviceKey: text('service_key').notNull(),
    ruleSetId: text('rule_set_id').notNull(),
    ruleSetVersion: text('rule_set_version').notNull(),
    ruleSetHash: text('rule_set_hash').notNull(),
    outcome: text('outcome', { enum: ['approve', 'reject', 'escalate'] }).notNull(),
    firedRules: jsonb('fired_rules').notNull(),
    facts: jsonb('facts').notNull(),
    payoutCents: bigint('payout_cents', { mode: 'number' }),
    forwardTo: jsonb('forward_to'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('decisions_case_idx').on(t.caseId)],
);

/** One sealed document per decision: the public verification endpoint looks seals up here by their id. */
export const seals = pgTable(
  'seals',
  {
    sealId: text('seal_id').primaryKey(),
    caseId: text('case_id').notNull(),
    authorityId: text('authority_id').notNull(),
    sourceSha256: text('source_sha256').notNull(),
    sealedSha256: text('sealed_sha256').notNull(),
    keyId: text('key_id').notNull(),
    sealedAt: timestamp('sealed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('seals_sealed_sha256_idx').on(t.sealedSha256)],
);

/**
 * Transparency log (Datenschutzcockpit): every register call made for a case, one row per attempt,
 * so the applicant sees who asked which register, why, when and with what result.
 */
export const evidenceRetrievals = pgTable(
  'evidence_retrievals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id').notNull(),
    subject: text('subject').notNull(),
    authorityId: text('authority_id').notNull(),
    register: text('register').notNull(),
    evidenceType: text('evidence_type').notNull(),
    purpose: text('purpose').notNull(),
    attempt: integer('attempt').notNull(),
    result: text('result', { enum: ['found', 'not_found', 'error'] }).notNull(),
    detail: text('detail'),
    documentSha256: text('document_sha256'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('evidence_retrievals_attempt_uq').on(t.caseId, t.evidenceType, t.attempt),
    index('evidence_retrievals_subject_idx').on(t.subject),
  ],
);

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

/** Cases that need an operator: a permanent failure, what it means and how it was resolved. No personal data. */
export const incidents = pgTable(
  'incidents',
  {
    incidentId: text('incident_id').primaryKey(),
    caseId: text('case_id').notNull(),
    activity: text('activity').notNull(),
    type: text('type').notNull(),
    message: text('message').notNull(),
    hint: text('hint').notNull(),
    actions: jsonb('actions').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    resolution: text('resolution'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [index('incidents_case_idx').on(t.caseId), index('incidents_open_idx').on(t.resolvedAt)],
);
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Content-addressed bytes (documents, sealed Bescheide, uploads, archive packages) when BLOB_STORE=postgres. */
export const blobs = pgTable('blobs', {
  key: text('key').primaryKey(),
  mediaType: text('media_type').notNull(),
  size: integer('size').notNull(),
  bytes: bytea('bytes').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Evidence the applicant uploaded (recorded by the upload route once the case took it), so that retention finds the
 * documents of a case and erases them with it. Only hashes and types: no personal data in clear text.
 */
export const evidenceUploads = pgTable(
  'evidence_uploads',
  {
    caseId: text('case_id').notNull(),
    evidenceType: text('evidence_type').notNull(),
    documentSha256: text('document_sha256').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('evidence_uploads_case_type_uq').on(t.caseId, t.evidenceType),
    index('evidence_uploads_sha256_idx').on(t.documentSha256),
  ],
);

/**
 * What retention erased, one row per case: when, under which period, which documents (kind and SHA-256) and what it
 * kept because the law requires it. Ids, kinds and hashes only.
 */
export const erasures = pgTable('erasures', {
  caseId: text('case_id').primaryKey(),
  serviceKey: text('service_key').notNull(),
  asOf: timestamp('as_of', { withTimezone: true }).notNull(),
  retentionYears: integer('retention_years').notNull(),
  documents: jsonb('documents').notNull(),
  kept: jsonb('kept').notNull(),
  erasedAt: timestamp('erased_at', { withTimezone: true }).notNull().defaultNow(),
  /** The event the period ran from (`closure`, `bestandskraft`, `last_payment`), the date it ended, what followed. */
  runsFrom: text('runs_from'),
  retainedUntil: timestamp('retained_until', { withTimezone: true }),
  disposal: text('disposal', { enum: ['erase', 'offer_to_archive'] }),
  /** Why now: the retention job (`retention`) or an applicant's Art. 17 request (`art-17`). */
  trigger: text('trigger'),
});

/**
 * What keeps a case from erasure whatever its retention date: a legal hold a supervisor places (litigation, audit), or
 * an objection (Widerspruch) or action against its decision. Rows are never deleted; a release is recorded on the row.
 */
export const caseHolds = pgTable(
  'case_holds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind', { enum: ['legal_hold', 'objection'] }).notNull(),
    /** Staff's reason, for staff; no data of the applicant belongs here. */
    reason: text('reason').notNull(),
    placedBy: text('placed_by').notNull(),
    placedAt: timestamp('placed_at', { withTimezone: true }).notNull().defaultNow(),
    releasedBy: text('released_by'),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [index('case_holds_case_idx').on(t.caseId)],
);

/**
 * An objection (Widerspruch) against a case's decision, one per case: when it came in, whether it was late against the
 * recorded Bekanntgabe (flagged, never refused), where its procedure stands. Reasons and attachments are in the Akte.
 */
export const objections = pgTable(
  'objections',
  {
    caseId: text('case_id').primaryKey(),
    authorityId: text('authority_id').notNull(),
    serviceKey: text('service_key').notNull(),
    /** Pseudonymous subject of the person who objected (applicant or representative). */
    objector: text('objector').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** The objection period's last day from the Bekanntgabe record; null where no Bekanntgabe is recorded yet. */
    periodEndsOn: text('period_ends_on'),
    late: boolean('late').notNull(),
    /** A late objection's reinstatement (§ 60 VwGO): granted by the case worker, or not decided. */
    reinstated: boolean('reinstated'),
    stage: text('stage', { enum: OBJECTION_STAGES }).notNull(),
    abhilfe: text('abhilfe', { enum: ['remedy', 'partial_remedy', 'no_remedy'] }),
    widerspruch: text('widerspruch', { enum: ['rejected', 'granted', 'partly_granted'] }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('objections_authority_stage_idx').on(t.authorityId, t.stage)],
);

/**
 * A correction of a case's decision (Rücknahme § 48, Widerruf § 49 VwVfG): who proposed it, who confirmed or refused it
 * (four eyes), where it stands, what was reclaimed or refunded. At most one not refused per case; reasons are in the Akte.
 */
export const corrections = pgTable(
  'corrections',
  {
    correctionId: text('correction_id').primaryKey(),
    caseId: text('case_id').notNull(),
    authorityId: text('authority_id').notNull(),
    serviceKey: text('service_key').notNull(),
    kind: text('kind', { enum: CORRECTION_KINDS }).notNull(),
    effect: text('effect', { enum: CORRECTION_EFFECTS }).notNull(),
    stage: text('stage', { enum: CORRECTION_STAGES }).notNull(),
    /** Pseudonymous ids of the member of staff who proposed it and of the second one who decided on it. */
    proposedBy: text('proposed_by').notNull(),
    proposedAt: timestamp('proposed_at', { withTimezone: true }).notNull(),
    confirmedBy: text('confirmed_by'),
    reclaimCents: bigint('reclaim_cents', { mode: 'number' }),
    refundFeeCents: bigint('refund_fee_cents', { mode: 'number' }),
    /** The sealed Rücknahme- or Widerrufsbescheid in the Akte, once issued. */
    documentId: text('document_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('corrections_one_per_case_uq').on(t.caseId).where(sql`${t.stage} <> 'refused'`),
    index('corrections_case_idx').on(t.caseId),
  ],
);

/**
 * An applicant's request for erasure (Art. 17 DSGVO) and how it was honoured, case by case: erased, or kept with the
 * reason and the date until which. Keyed by the SHA-256 of the applicant's pseudonym, so the record outlives it.
 */
export const erasureRequests = pgTable(
  'erasure_requests',
  {
    requestId: text('request_id').primaryKey(),
    subjectSha256: text('subject_sha256').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    /** `[{ caseId, aktenzeichen, result: 'erased' | 'kept', reason?, keptUntil? }]` */
    cases: jsonb('cases').notNull(),
  },
  (t) => [index('erasure_requests_subject_idx').on(t.subjectSha256)],
);

/**
 * What a FIT-Connect submission's metadata said beyond the application, one row per case, written before the case
 * starts: a payment the portal already collected (`paymentInformation`) and where replies go (`replyChannel`).
 */
export const fitConnectSubmissions = pgTable('fit_connect_submissions', {
  caseId: text('case_id').primaryKey(),
  /** `{ transactionId, transactionReference, status, amountCents?, paymentMethod }`, amounts in cents. */
  payment: jsonb('payment'),
  /** `{ kind: 'eMail' | 'deMail' | 'fink' | 'elster', address }`: the one channel the applicant chose. */
  replyChannel: jsonb('reply_channel'),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Workbench sessions, server-side: the browser's cookie holds a random id, this table its SHA-256 (a read of the table
 * gives no usable session), the person, and when it ends: idle, at the login token's expiry, or on logout.
 */
export const workbenchSessions = pgTable(
  'workbench_sessions',
  {
    idSha256: text('id_sha256').primaryKey(),
    staff: jsonb('staff').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('workbench_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * The Akte of a case: its header, written by intake before the case's workflow starts and kept for as long as the
 * law keeps the file. The case id (a UUID) stays the technical id; the Aktenzeichen is the one people read.
 */
export const akten = pgTable(
  'akten',
  {
    caseId: text('case_id').primaryKey(),
    /** Readable file number, unique, from the pattern the authority or service declares (e.g. `32.1-BPA/2026/00017`). */
    aktenzeichen: text('aktenzeichen').notNull(),
    authorityId: text('authority_id').notNull(),
    serviceKey: text('service_key').notNull(),
    /** The year and running number the Aktenzeichen was drawn from, per authority. */
    year: integer('year').notNull(),
    runningNumber: integer('running_number').notNull(),
    /** Pseudonymous subject of the applicant. */
    applicantSubject: text('applicant_subject').notNull(),
    /** The verified identity as intake saw it (trust level, representation, the name for the Bescheid). */
    identity: jsonb('identity').notNull(),
    consent: jsonb('consent'),
    /** Hash over the submission: a repeated idempotency key with a different application is refused. */
    submissionSha256: text('submission_sha256').notNull(),
    schemaId: text('schema_id').notNull(),
    schemaVersion: text('schema_version').notNull(),
    ruleSetVersion: text('rule_set_version').notNull(),
    ruleSetSha256: text('rule_set_sha256'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The case's state as it closed (what `caseState` answered then): its views no longer need Temporal's history. */
    finalState: jsonb('final_state'),
  },
  (t) => [
    uniqueIndex('akten_aktenzeichen_uq').on(t.aktenzeichen),
    uniqueIndex('akten_authority_year_number_uq').on(t.authorityId, t.year, t.runningNumber),
    index('akten_applicant_idx').on(t.applicantSubject),
  ],
);

/** The last running number drawn per authority and year; drawn in the transaction that writes the Akte (no gaps). */
export const aktenzeichenCounters = pgTable(
  'aktenzeichen_counters',
  {
    authorityId: text('authority_id').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.authorityId, t.year] })],
);

/** What an entry of the document index is. */
export const AKTE_DOCUMENT_KINDS = [
  'antrag',
  'evidence',
  'upload',
  'letter',
  'question',
  'answer',
  'decision',
  'bescheid',
  'note',
  'payment',
  'bekanntgabe',
  'withdrawal',
  'objection',
  'objection_decision',
  'correction',
  'correction_decision',
  'hearing_letter',
  'hearing_statement',
] as const;

/**
 * The document index of an Akte: every entry with kind, title, media type, SHA-256, where its bytes are (the blob
 * store, or `content` for JSON records such as the Antrag), who wrote it (role and pseudonymous id), when, and the
 * entry it replaces.
 */
export const akteDocuments = pgTable(
  'akte_documents',
  {
    documentId: text('document_id').primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind', { enum: AKTE_DOCUMENT_KINDS }).notNull(),
    title: text('title').notNull(),
    mediaType: text('media_type').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    /** Key in the blob store; absent where the entry's content is held here. */
    blobKey: text('blob_key'),
    /** A JSON record held in the Akte itself (the Antrag as submitted). */
    content: jsonb('content'),
    /** Labels of the fields (FIM or schema titles), JSON pointer to label, where the schema declares them. */
    labels: jsonb('labels'),
    authorRole: text('author_role', {
      enum: ['applicant', 'engine', 'register', 'case_worker', 'authority'],
    }).notNull(),
    /** Pseudonymous id of the author (the applicant's subject, a case worker's id); absent for the engine. */
    authorId: text('author_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    replaces: text('replaces'),
  },
  (t) => [index('akte_documents_case_idx').on(t.caseId, t.createdAt)],
);

/**
 * The blind index of the Akten for the workbench's search: keyed hashes (HMAC-SHA-256, a key per authority, see
 * platform/blind-index.ts) of normalised names, birth dates, licence plates and addresses, written with the Akte at
 * intake. Holds no personal data in clear text: without the secret a hash cannot be tested against a guess.
 */
export const akteSearchTerms = pgTable(
  'akte_search_terms',
  {
    authorityId: text('authority_id').notNull(),
    /** HMAC-SHA-256 of the normalised value under the authority's key, base64url. */
    term: text('term').notNull(),
    caseId: text('case_id').notNull(),
    /** What the value was (name, birth_date, licence_plate, address, company). */
    kind: text('kind').notNull(),
  },
  (t) => [primaryKey({ columns: [t.authorityId, t.term, t.caseId] }), index('akte_search_terms_case_idx').on(t.caseId)],
);

/**
 * The staff directory of the workbench: each member of staff as the identity provider's claims named them at their
 * last login (display name, role, authority), so that pages show names instead of login ids and offer colleagues to
 * choose from; and the Vertretung: while `substitute` is set, she is absent and her tasks appear in that colleague's
 * inbox.
 */
export const staffDirectory = pgTable(
  'staff_directory',
  {
    authorityId: text('authority_id').notNull(),
    staffId: text('staff_id').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role').notNull(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }).notNull().defaultNow(),
    /** Absent, and who stands in meanwhile (a staff id of the same authority); null when present. */
    substitute: text('substitute'),
    absentSince: timestamp('absent_since', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.authorityId, t.staffId] }),
    index('staff_directory_substitute_idx').on(t.authorityId, t.substitute),
  ],
);

/** What an access-log entry records a read of. */
export const ACCESS_LOG_KINDS = ['panel', 'document', 'page', 'decode', 'export', 'search'] as const;

/**
 * Every read of an Akte by staff (a case-file panel, a document, the workbench case page) and every decode through the
 * codec server: who (pseudonymous id, role, authority), when, what, over which route, and whether it was granted.
 * Append-only: a trigger refuses UPDATE and DELETE (migration 0014). Holds no personal data of the applicant; the
 * applicant's pseudonymous subject lets the Art. 15 export find the entries about them.
 */
export const accessLog = pgTable(
  'access_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    /** The authority the actor acts for; absent for a platform-wide operator. */
    actorAuthorityId: text('actor_authority_id'),
    kind: text('kind', { enum: ACCESS_LOG_KINDS }).notNull(),
    /** What was read: a panel name, a document id, `payload:<authority>` for a decode. */
    what: text('what').notNull(),
    /** The route as declared (`GET /cases/:caseId/file/application`), not the URL with its query. */
    route: text('route').notNull(),
    caseId: text('case_id'),
    /** The authority whose data was read. */
    authorityId: text('authority_id'),
    applicantSubject: text('applicant_subject'),
    outcome: text('outcome', { enum: ['granted', 'refused'] }).notNull(),
  },
  (t) => [
    index('access_log_case_idx').on(t.caseId, t.at),
    index('access_log_applicant_idx').on(t.applicantSubject, t.at),
    index('access_log_actor_idx').on(t.actorId, t.at),
  ],
);

/**
 * Each authority's data keys (AES-256), wrapped (AES-256-GCM) by a key of the payload key ring, the KEK: the KMS seam
 * (`platform/codec/key-ring.ts`). Payloads of a case are encrypted with its authority's newest data key; the key id
 * (`dek:<authority>:<version>`) stays in the payload's clear metadata. Rotating adds a version; the old ones stay so
 * old payloads decode. Holds no personal data.
 */
export const authorityDataKeys = pgTable(
  'authority_data_keys',
  {
    keyId: text('key_id').primaryKey(),
    authorityId: text('authority_id').notNull(),
    version: integer('version').notNull(),
    /** IV, ciphertext and tag of the data key, base64; the key id is the additional authenticated data. */
    wrappedKey: text('wrapped_key').notNull(),
    /** The ring key (KEK) that wrapped it. */
    wrappingKeyId: text('wrapping_key_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('authority_data_keys_version_uq').on(t.authorityId, t.version)],
);

import { CASE_OUTCOMES, CASE_STATUSES } from '../contracts/case.js';
import { TASK_STATES } from '../contracts/task.js';

// JSON Schemas shared by routes: they validate requests, shape responses and become the OpenAPI document.

export const problem = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'stable, for machines' },
    errors: {
      type: 'array',
      description: 'every field error at once',
      items: {
        type: 'object',
        required: ['pointer', 'code', 'message', 'messageEn'],
        properties: {
          pointer: { type: 'string' },
          code: { type: 'string' },
          message: { type: 'string' },
          messageEn: { type: 'string' },
        },
      },
    },
  },
} as const;

const question = {
  type: 'object',
  required: ['questionId', 'kind', 'text', 'askedAt', 'dueAt'],
  properties: {
    questionId: { type: 'string' },
    kind: { type: 'string', enum: ['question', 'document'] },
    text: { type: 'string' },
    askedAt: { type: 'string', format: 'date-time' },
    dueAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const taskView = {
  $id: 'TaskView',
  type: 'object',
  required: [
    'taskId',
    'caseId',
    'kind',
    'serviceKey',
    'authorityId',
    'candidateGroup',
    'priority',
    'dueAt',
    'followUpAt',
    'state',
    'stage',
    'fourEyes',
    'version',
  ],
  properties: {
    taskId: { type: 'string' },
    caseId: { type: 'string' },
    kind: { type: 'string' },
    serviceKey: { type: 'string' },
    authorityId: { type: 'string' },
    candidateGroup: { type: 'string' },
    reason: { type: 'string' },
    assignee: { type: 'string' },
    priority: { type: 'string', enum: ['normal', 'high'] },
    dueAt: { type: 'string', format: 'date-time' },
    followUpAt: { type: 'string', format: 'date-time' },
    state: { type: 'string', enum: [...TASK_STATES] },
    stage: { type: 'string', enum: ['decision', 'second_approval'] },
    fourEyes: { type: 'boolean' },
    proposal: {
      type: 'object',
      required: ['outcome', 'by', 'justification'],
      properties: {
        outcome: { type: 'string', enum: ['approve', 'reject'] },
        by: { type: 'string' },
        justification: { type: 'string' },
      },
    },
    openQuestion: question,
    remindedAt: { type: 'string', format: 'date-time' },
    escalatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
  },
} as const;

const nullableString = { type: 'string', nullable: true } as const;
const nullableTime = { type: 'string', format: 'date-time', nullable: true } as const;

export const inboxItem = {
  $id: 'InboxItem',
  type: 'object',
  required: [
    'taskId',
    'caseId',
    'kind',
    'serviceKey',
    'authorityId',
    'candidateGroup',
    'priority',
    'state',
    'stage',
    'fourEyes',
    'dueAt',
    'followUpAt',
  ],
  properties: {
    taskId: { type: 'string' },
    caseId: { type: 'string' },
    kind: { type: 'string' },
    serviceKey: { type: 'string' },
    authorityId: { type: 'string' },
    candidateGroup: { type: 'string' },
    reason: { type: 'string' },
    assignee: nullableString,
    priority: { type: 'string', enum: ['normal', 'high'] },
    state: { type: 'string', enum: [...TASK_STATES] },
    stage: { type: 'string', enum: ['decision', 'second_approval'] },
    fourEyes: { type: 'boolean' },
    proposedBy: nullableString,
    openQuestionId: nullableString,
    dueAt: { type: 'string', format: 'date-time' },
    followUpAt: { type: 'string', format: 'date-time' },
    remindedAt: nullableTime,
    escalatedAt: nullableTime,
    completedBy: nullableString,
    confirmedBy: nullableString,
    outcome: nullableString,
  },
} as const;

export const caseState = {
  $id: 'CaseState',
  type: 'object',
  required: ['caseId', 'serviceKey', 'authorityId', 'status', 'history'],
  properties: {
    caseId: { type: 'string' },
    serviceKey: { type: 'string' },
    authorityId: { type: 'string' },
    status: { type: 'string', enum: [...CASE_STATUSES] },
    outcome: { type: 'string', enum: [...CASE_OUTCOMES] },
    decision: { type: 'object', additionalProperties: true },
    openTaskId: { type: 'string' },
    task: { $ref: 'TaskView#' },
    openQuestion: question,
    applicantSubject: { type: 'string' },
    requestedEvidence: { type: 'array', items: { type: 'object', additionalProperties: true } },
    payment: { type: 'object', additionalProperties: true, description: 'the fee to pay, with the payment page' },
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['status', 'at'],
        properties: {
          status: { type: 'string', enum: [...CASE_STATUSES] },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;

export const timelineEntry = {
  $id: 'TimelineEntry',
  type: 'object',
  required: ['seq', 'type', 'status', 'at'],
  properties: {
    seq: { type: 'integer' },
    type: { type: 'string' },
    status: { type: 'string', enum: [...CASE_STATUSES] },
    at: { type: 'string', format: 'date-time' },
    data: { type: 'object', additionalProperties: true, description: 'who, why and what changed; shown to staff only' },
  },
} as const;

/** Every error answer, for the OpenAPI document. */
export const problemResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, { $ref: 'Problem#' }]));

export const sharedSchemas = [problem, taskView, inboxItem, caseState, timelineEntry];

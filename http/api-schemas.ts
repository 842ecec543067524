import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { CASE_OUTCOMES, CASE_STATUSES, TRUST_LEVELS } from '../workflows/contracts/case.js';
import { TASK_STATES } from '../workflows/contracts/task.js';

// JSON Schemas shared by routes: they validate requests, shape responses and become the OpenAPI document.

/** The path parameters of a route about one case: its id. */
export const caseParams = {
  type: 'object',
  required: ['caseId'],
  properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } },
} as const;

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
        reasonsForApplicant: { type: 'string' },
      },
    },
    sentBack: {
      type: 'object',
      required: ['by', 'note', 'at'],
      properties: { by: { type: 'string' }, note: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
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

const nullable = (schema: Record<string, unknown>) => ({ ...schema, nullable: true });

export const serviceSummary = {
  $id: 'ServiceSummary',
  type: 'object',
  required: ['key', 'name', 'legalBasis', 'minimumTrustLevel', 'authorities', 'href'],
  properties: {
    key: { type: 'string' },
    name: { type: 'string' },
    legalBasis: { type: 'string' },
    minimumTrustLevel: { type: 'string', enum: [...TRUST_LEVELS] },
    authorities: { type: 'array', items: { type: 'string' } },
    href: { type: 'string' },
  },
} as const;

export const serviceDescription = {
  $id: 'ServiceDescription',
  type: 'object',
  description:
    "a service, machine-readable; schemas, evidence, fee and rule-set parts follow the service folder's shapes",
  additionalProperties: true,
  required: ['key', 'name', 'legalBasis', 'minimumTrustLevel', 'currentSchemaVersion', 'schemas', 'authorities'],
  properties: {
    key: { type: 'string' },
    name: { type: 'string' },
    legalBasis: { type: 'string' },
    minimumTrustLevel: { type: 'string', enum: [...TRUST_LEVELS] },
    representationAllowed: { type: 'boolean' },
    currentSchemaVersion: { type: 'string' },
    schemas: { type: 'object', additionalProperties: true, description: 'JSON Schema of the application by version' },
    evidence: { type: 'array', items: { type: 'object', additionalProperties: true } },
    fee: { type: 'object', additionalProperties: true },
    ruleSet: {
      type: 'object',
      required: ['id', 'versions'],
      properties: {
        id: { type: 'string' },
        versions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['version', 'validFrom'],
            properties: { version: { type: 'string' }, validFrom: { type: 'string' } },
          },
        },
      },
    },
    escalation: { type: 'object', additionalProperties: true },
    outputs: { type: 'object', additionalProperties: true },
    authorities: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['id', 'name', 'sealIdentity', 'postalCodes'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          contact: { type: 'string' },
          feeAccount: { type: 'string', description: 'IBAN' },
          sealIdentity: { type: 'string' },
          postalCodes: { type: 'array', items: { type: 'string' } },
          deadlines: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

/** A text a model wrote (or the deterministic fallback), labelled as such; never delivered unconfirmed. */
const machineSuggestion = {
  type: 'object',
  required: ['kind', 'text', 'label', 'source', 'sha256'],
  properties: {
    kind: { type: 'string' },
    text: { type: 'string' },
    label: { type: 'string' },
    source: { type: 'string', enum: ['model', 'fallback'] },
    sha256: { type: 'string' },
    promptSha256: { type: 'string' },
  },
} as const;

export const serviceSearchResult = {
  $id: 'ServiceSearchResult',
  type: 'object',
  required: ['query', 'matches', 'ranking'],
  properties: {
    query: { type: 'string' },
    matches: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'name', 'score', 'matched'],
        properties: {
          key: { type: 'string' },
          name: { type: 'string' },
          score: { type: 'number' },
          matched: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    explanation: machineSuggestion,
    ranking: { type: 'string', enum: ['deterministic', 'model'] },
  },
} as const;

export const questionState = {
  $id: 'QuestionState',
  type: 'object',
  description: 'an applicant question; the draft and who confirmed it are shown to staff only',
  required: ['caseId', 'questionId', 'status'],
  properties: {
    caseId: { type: 'string' },
    questionId: { type: 'string' },
    status: { type: 'string', enum: ['awaiting_confirmation', 'delivered', 'expired'] },
    draft: machineSuggestion,
    draftFailed: { type: 'boolean' },
    confirmedBy: { type: 'string' },
    deliveryId: { type: 'string' },
  },
} as const;

export const evidenceRetrieval = {
  $id: 'EvidenceRetrieval',
  type: 'object',
  required: ['caseId', 'authorityId', 'register', 'evidenceType', 'purpose', 'attempt', 'result', 'requestedAt'],
  properties: {
    caseId: { type: 'string' },
    authorityId: { type: 'string' },
    register: { type: 'string' },
    evidenceType: { type: 'string' },
    purpose: { type: 'string' },
    attempt: { type: 'integer' },
    result: { type: 'string', enum: ['found', 'not_found', 'error'] },
    detail: nullable({ type: 'string' }),
    documentSha256: nullable({ type: 'string' }),
    requestedAt: { type: 'string', format: 'date-time' },
    answeredAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const requestedEvidence = {
  $id: 'RequestedEvidence',
  type: 'object',
  required: ['evidenceType', 'document', 'purpose', 'dueAt', 'status'],
  properties: {
    evidenceType: { type: 'string' },
    document: { type: 'string', description: 'the document asked for, in plain language' },
    purpose: { type: 'string' },
    dueAt: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['requested', 'received', 'expired'] },
  },
} as const;

export const milestones = {
  $id: 'Milestones',
  type: 'object',
  required: ['caseId', 'status', 'milestones', 'requestedEvidence'],
  properties: {
    caseId: { type: 'string' },
    status: { type: 'string', enum: [...CASE_STATUSES] },
    outcome: { type: 'string', enum: [...CASE_OUTCOMES] },
    milestones: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'label', 'state'],
        properties: {
          key: {
            type: 'string',
            enum: ['received', 'evidence_requested', 'payment_pending', 'in_review', 'decided', 'delivered'],
          },
          label: { type: 'string' },
          state: { type: 'string', enum: ['done', 'current', 'skipped', 'open'] },
          at: { type: 'string', format: 'date-time' },
          note: { type: 'string' },
        },
      },
    },
    requestedEvidence: { type: 'array', items: { $ref: 'RequestedEvidence#' } },
    objection: {
      description:
        'The objection (Widerspruch) against the decision and where its procedure stands: in the Abhilfeprüfung, with ' +
        'the objection authority, remedied by a new Bescheid, or decided by a Widerspruchsbescheid',
      type: 'object',
      required: ['receivedAt', 'late', 'stage'],
      properties: {
        receivedAt: { type: 'string', format: 'date-time' },
        late: { type: 'boolean' },
        periodEndsOn: { type: 'string', format: 'date' },
        reinstated: { type: 'boolean' },
        stage: { type: 'string', enum: ['abhilfe', 'objection_authority', 'remedied', 'decided'] },
        abhilfe: { type: 'string', enum: ['remedy', 'partial_remedy', 'no_remedy'] },
        widerspruch: { type: 'string', enum: ['rejected', 'granted', 'partly_granted'] },
      },
    },
    nextDeadline: {
      description:
        'The next deadline that still runs for the applicant, e.g. the remedy period (`remedy_period`) until its last ' +
        'day; absent when none runs (or once an objection was received)',
      type: 'object',
      required: ['kind', 'date'],
      properties: { kind: { type: 'string' }, date: { type: 'string', format: 'date' } },
    },
    correction: {
      description:
        'The decision was withdrawn (Rücknahme, § 48 VwVfG) or revoked (Widerruf, § 49 VwVfG) by a new Bescheid: for ' +
        'the future or also for the past, with the amount to pay back (§ 49a VwVfG) or the fee refunded',
      type: 'object',
      required: ['kind', 'effect', 'issuedAt'],
      properties: {
        kind: { type: 'string', enum: ['ruecknahme', 'widerruf'] },
        effect: { type: 'string', enum: ['ex_nunc', 'ex_tunc'] },
        issuedAt: { type: 'string', format: 'date-time' },
        reclaimCents: { type: 'integer' },
        refundFeeCents: { type: 'integer' },
      },
    },
    hearing: {
      description:
        'The hearing before an intended rejection (§ 28 VwVfG): waiting for the statement until `statementDueOn` ' +
        '(the next deadline; the whole day counts), closed (a case worker decides), or skipped with the legal reason',
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['awaiting_statement', 'closed', 'skipped'] },
        letterSentAt: { type: 'string', format: 'date-time' },
        statementDueOn: { type: 'string', format: 'date' },
        statementReceivedAt: { type: 'string', format: 'date-time' },
        why: { type: 'string' },
      },
    },
    fiction: {
      description:
        'Approval by fiction (§ 42a VwVfG): from the complete application, the approval counts as granted when no ' +
        'decision came by `endsOn` (extended at most once); `occurred` once it did, `decided` when a decision came first',
      type: 'object',
      required: ['state', 'startedOn', 'endsOn', 'legalBasis', 'extended'],
      properties: {
        state: { type: 'string', enum: ['running', 'decided', 'occurred'] },
        startedOn: { type: 'string', format: 'date' },
        endsOn: { type: 'string', format: 'date' },
        legalBasis: { type: 'string' },
        extended: { type: 'boolean' },
      },
    },
    withdrawal: {
      description: 'The applicant withdrew the application: when, and whether the fee paid in advance is refunded',
      type: 'object',
      required: ['declaredAt', 'feeRefunded'],
      properties: { declaredAt: { type: 'string', format: 'date-time' }, feeRefunded: { type: 'boolean' } },
    },
    bekanntgabe: {
      description:
        'When the Bescheid counts as announced (§ 41 VwVfG) and the remedy period and Bestandskraft computed from it; absent until then',
      type: 'object',
      required: ['bekanntgabeOn', 'basis', 'legalBasis', 'remedy', 'remedyPeriodEndsOn', 'finalOn'],
      properties: {
        bekanntgabeOn: { type: 'string', format: 'date' },
        basis: {
          type: 'string',
          enum: ['postbox_retrieval', 'postal_fiction', 'electronic_fiction', 'manual_delivery'],
        },
        legalBasis: { type: 'string' },
        remedy: { type: 'string', enum: ['widerspruch', 'klage'] },
        remedyPeriodEndsOn: { type: 'string', format: 'date' },
        finalOn: { type: 'string', format: 'date' },
      },
    },
  },
} as const;

export const documentRef = {
  $id: 'DocumentRef',
  type: 'object',
  required: ['sha256', 'mediaType', 'size'],
  properties: { sha256: { type: 'string' }, mediaType: { type: 'string' }, size: { type: 'integer' } },
} as const;

export const hkrBookings = {
  $id: 'HkrBookings',
  type: 'object',
  required: ['format', 'exportedAt', 'authorityId', 'offset', 'limit', 'count', 'bookings'],
  properties: {
    format: { type: 'string', enum: ['ozg-hkr-bookings/1'] },
    exportedAt: { type: 'string', format: 'date-time' },
    authorityId: { type: 'string' },
    offset: { type: 'integer' },
    limit: { type: 'integer' },
    count: { type: 'integer' },
    bookings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['bookingId', 'bookedAt', 'direction', 'kind', 'amountCents', 'currency', 'account', 'authorityId'],
        properties: {
          bookingId: { type: 'integer' },
          bookedAt: { type: 'string', format: 'date-time' },
          direction: { type: 'string' },
          kind: { type: 'string' },
          amountCents: { type: 'integer' },
          currency: { type: 'string' },
          account: { type: 'string' },
          transactionReference: nullable({ type: 'string' }),
          providerTransactionId: nullable({ type: 'string' }),
          caseId: nullable({ type: 'string' }),
          serviceKey: nullable({ type: 'string' }),
          authorityId: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Every error answer, for the OpenAPI document. */
export const problemResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, { $ref: 'Problem#' }]));

/** A body that is bytes (a PDF, a multipart upload): documented, checked by the handler, not by JSON Schema. */
export const binary = { type: 'string', format: 'binary' } as const;

const requestAjv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false });
addFormats.default(requestAjv);
/**
 * For routes whose body is bytes: params and query are validated as everywhere, the body schema only documents
 * (a Buffer or a multipart stream is no JSON value), and the handler checks the bytes.
 */
export const bytesBodyValidator: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  httpPart === 'body' ? () => true : requestAjv.compile(schema as object);

/** Response validation knows `binary` (bytes are never validated; only the document mentions them). */
export const binaryFormat = (ajv: Ajv) => ajv.addFormat('binary', true);

export const sharedSchemas = [
  problem,
  taskView,
  inboxItem,
  caseState,
  timelineEntry,
  serviceSummary,
  serviceDescription,
  serviceSearchResult,
  questionState,
  evidenceRetrieval,
  requestedEvidence,
  milestones,
  documentRef,
  hkrBookings,
];

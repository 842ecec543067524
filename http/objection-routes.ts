import type { FastifyPluginAsync } from 'fastify';
import type { DocumentStore } from '../adapters/document-store.js';
import type { CaseClient } from '../client/case-client.js';
import { ObjectionRefusedError } from '../client/objection-client.js';
import type { ObjectionDecision } from '../workflows/contracts/objection.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import { CASE_WORK } from './access.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { bearerSecurity, requireApplicant, requireStaff } from './http-auth.js';
import { HttpProblem, workflowProblem } from './problem.js';
import { ATTACHMENTS_BODY_SCHEMA, decodedAttachments, storeCheckedAttachments } from './upload-check.js';
import { objectionAuthorityOf } from '../activities/objection.js';

export interface ObjectionRoutesOptions {
  cases: CaseClient;
  documents: DocumentStore;
  maxBytes: number;
}

const reasons = { type: 'string', minLength: 1, maxLength: 20_000, pattern: PRINTABLE_TEXT_PATTERN } as const;

const objectionView = {
  type: 'object',
  required: ['caseId', 'receivedAt', 'late', 'stage'],
  properties: {
    caseId: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    late: { type: 'boolean', description: 'Received after the objection period ended: flagged, not refused' },
    periodEndsOn: { type: 'string', format: 'date' },
    stage: { type: 'string', enum: ['abhilfe', 'objection_authority', 'remedied', 'decided'] },
  },
} as const;

/**
 * Who decides which stage (§§ 72, 73 VwGO): the Abhilfeprüfung is the deciding authority's; where the service names
 * another objection authority, the Widerspruchsbescheid is that authority's alone. Undefined where the actor may.
 */
export function objectionStageRefusal(
  actorAuthorityId: string,
  c: { serviceKey: string; authorityId: string },
  stage: ObjectionDecision['stage'],
): string | undefined {
  const decider = stage === 'abhilfe' ? c.authorityId : objectionAuthorityOf(c.serviceKey, c.authorityId);
  if (actorAuthorityId === decider) return undefined;
  return stage === 'abhilfe'
    ? 'Über die Abhilfe entscheidet die Behörde, die den Bescheid erlassen hat.'
    : 'Über den Widerspruch entscheidet die Widerspruchsbehörde.';
}

const refusal = (err: unknown): unknown =>
  err instanceof ObjectionRefusedError ? new HttpProblem(err.status, err.message) : err;

/** The objection procedure (Widerspruch, §§ 68-73 VwGO): the applicant objects, case workers decide. */
export const objectionRoutes: FastifyPluginAsync<ObjectionRoutesOptions> = async (app, o) => {
  app.post<{
    Params: { caseId: string };
    Body: { reasons: string; attachments?: Array<{ fileName: string; content: string }> };
  }>(
    '/cases/:caseId/objection',
    {
      config: { access: 'case:applicant' },
      bodyLimit: 4 * o.maxBytes,
      schema: {
        summary: 'The applicant (or their representative) objects to the decision (Widerspruch)',
        description:
          'Reasons and up to five attachments (PDF, PNG or JPEG, base64, checked by content). Checked against the ' +
          'recorded Bekanntgabe: a late objection is taken and flagged, never refused. Refused (409) where the Land ' +
          'abolished the objection procedure for the service, before a Bescheid, or when an objection exists already.',
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reasons'],
          properties: {
            reasons,
            attachments: ATTACHMENTS_BODY_SCHEMA,
          },
        },
        response: { 201: objectionView, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (req, reply) => {
      const applicant = requireApplicant(req);
      const attachments = await storeCheckedAttachments(
        o.documents,
        decodedAttachments(req.body.attachments),
        o.maxBytes,
      );
      const record = await o.cases.objections
        .file({ caseId: req.params.caseId, subject: applicant.subject, reasons: req.body.reasons, attachments })
        .catch((err: unknown) => Promise.reject(refusal(err)));
      return reply.status(201).send(record);
    },
  );

  app.post<{ Params: { caseId: string }; Body: Omit<ObjectionDecision, 'by'> }>(
    '/cases/:caseId/objection/decision',
    {
      // The objection authority's staff too, where it is another authority; each decides its own stage only.
      config: { access: 'case:staff', roles: CASE_WORK, objectionAuthority: true },
      schema: {
        summary: "A case worker's decision on the objection at its stage",
        description:
          '`abhilfe` (the deciding authority, § 72 VwGO): `remedy` issues a Bescheid that replaces the old one, ' +
          '`partial_remedy` issues it and hands the rest on, `no_remedy` hands the objection to the objection ' +
          'authority; `reinstatement` decides a late objection (§ 60 VwGO). `objection_authority` (§ 73 VwGO): the ' +
          'Widerspruchsbescheid, sealed and delivered with its instruction on the action (§ 74 VwGO).',
        security: bearerSecurity,
        params: caseParams,
        // One flat schema: Fastify's validator strips properties while it tries the branches of a `oneOf`.
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['stage', 'outcome', 'reasons'],
          properties: {
            stage: { type: 'string', enum: ['abhilfe', 'objection_authority'] },
            outcome: {
              type: 'string',
              enum: ['remedy', 'partial_remedy', 'no_remedy', 'rejected', 'granted', 'partly_granted'],
              description:
                'abhilfe: remedy, partial_remedy, no_remedy; objection_authority: rejected, granted, partly_granted',
            },
            reasons: { type: 'array', minItems: 1, maxItems: 20, items: reasons },
            reinstatement: { type: 'boolean', description: 'abhilfe only, for a late objection' },
            payoutCents: {
              type: 'integer',
              minimum: 1,
              description: 'abhilfe with a remedy on a pay-out service: the amount the remedy grants, paid out once',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['caseId', 'stage'],
            properties: { caseId: { type: 'string' }, stage: { type: 'string' }, late: { type: 'boolean' } },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const actor = requireStaff(req);
      const why = objectionStageRefusal(actor.authorityId, req.caseState!, req.body.stage);
      if (why) throw new HttpProblem(403, why);
      const state = await o.cases.objections
        .decide(req.params.caseId, { ...req.body, by: actor.id } as ObjectionDecision)
        .catch((err: unknown) => Promise.reject(workflowProblem(err, 'Zu diesem Vorgang gibt es keinen Widerspruch.')));
      return { caseId: state.caseId, stage: state.stage, late: state.late };
    },
  );
};

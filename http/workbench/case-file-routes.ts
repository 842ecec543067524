import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { binary, problemResponses } from '../api-schemas.js';
import { bearerSecurity, requireStaff } from '../http-auth.js';
import { HttpProblem } from '../problem.js';
import { accessLogForCase } from '../../db/queries/access-log.js';
import { placeHold, releaseHold } from '../../db/queries/retention.js';
import {
  ACCESS_LOG_ROLES,
  CASE_FILE_PANELS,
  HOLD_ROLES,
  type CaseFiles,
  MANUAL_DELIVERY_ROLES,
  PANEL_ROLES,
} from './case-file.js';
import type { Database } from '../../db/client.js';
import { completeManualDelivery, DELIVERY_CHANNELS, type DeliveryChannel } from './manual-tasks.js';

const caseId = { type: 'string', pattern: '^[0-9a-f-]{36}$' } as const;

const descriptions: Record<(typeof CASE_FILE_PANELS)[number], string> = {
  overview: 'Service, status, outcome and the open task as the workflow holds it.',
  application: 'The application as the applicant filled it: fields with the labels of the service schema.',
  evidence:
    'Register retrievals (what was asked, when, what came back), requested evidence and uploads, each with a download link.',
  dialogue: "Questions and document requests to the applicant, with the applicant's replies.",
  decision:
    'Why the case is here: each rules decision with fired rules, reasons, legal basis, facts and rule-set version; the final decision.',
  summary: 'The machine-written summary of the task: a suggestion (machineSuggestion: true) that decides nothing.',
  timeline: 'Everything that happened to the case, in order, with who and why.',
  payments: 'Fees, refunds and pay-outs of the case.',
  bescheid: 'The sealed Bescheid: download link and public verification address.',
};

/**
 * The case file (Akte) for Fachverfahren and the workbench: one request per panel, staff of the case's authority only.
 * To anyone else the case does not exist (404).
 */
export const caseFileRoutes: FastifyPluginAsync<{ files: CaseFiles; db: Database }> = async (app, { files, db }) => {
  // The objection authority of another authority reads the Akte too (the routes that say `objectionAuthority`).
  const own = async (req: FastifyRequest<{ Params: { caseId: string } }>) => {
    const row = await files.caseFor(requireStaff(req), req.params.caseId, {
      asObjectionAuthority: req.routeOptions.config.objectionAuthority === true,
    });
    if (!row) throw new HttpProblem(404, 'no such case');
    return row;
  };

  for (const panel of CASE_FILE_PANELS) {
    app.get<{ Params: { caseId: string } }>(
      `/cases/:caseId/file/${panel}`,
      {
        config: {
          access: 'case:staff',
          roles: PANEL_ROLES[panel],
          objectionAuthority: true,
          accessLog: { kind: 'panel', what: panel },
        },
        schema: {
          summary: `Case file: ${panel}`,
          description: descriptions[panel],
          tags: ['case file'],
          security: bearerSecurity,
          params: { type: 'object', required: ['caseId'], properties: { caseId } },
          response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses(401, 403, 404) },
        },
      },
      async (req) => files.panel(panel, await own(req)),
    );
  }

  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId/file/access-log',
    {
      config: { access: 'case:staff', roles: ACCESS_LOG_ROLES, accessLog: { kind: 'panel', what: 'access-log' } },
      schema: {
        summary: 'Case file: who read it',
        description:
          "Every read of this case file by staff (panels, documents, the workbench case page), granted or refused, oldest first: who (pseudonymous id, role, authority), when, what and over which route. For the authority's supervisors.",
        tags: ['case file'],
        security: bearerSecurity,
        params: { type: 'object', required: ['caseId'], properties: { caseId } },
        response: {
          200: {
            type: 'object',
            required: ['entries'],
            properties: {
              entries: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['at', 'actorId', 'actorRole', 'kind', 'what', 'route', 'outcome'],
                  properties: {
                    at: { type: 'string', format: 'date-time' },
                    actorId: { type: 'string' },
                    actorRole: { type: 'string' },
                    actorAuthorityId: { type: 'string', nullable: true },
                    kind: { type: 'string' },
                    what: { type: 'string' },
                    route: { type: 'string' },
                    outcome: { type: 'string', enum: ['granted', 'refused'] },
                  },
                },
              },
            },
          },
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      await own(req);
      const rows = await accessLogForCase(db, req.params.caseId);
      return {
        entries: rows.map((r) => ({
          at: r.at.toISOString(),
          actorId: r.actorId,
          actorRole: r.actorRole,
          actorAuthorityId: r.actorAuthorityId,
          kind: r.kind,
          what: r.what,
          route: r.route,
          outcome: r.outcome,
        })),
      };
    },
  );

  const holdSchema = {
    type: 'object',
    required: ['id', 'kind', 'reason', 'placedBy', 'placedAt'],
    properties: {
      id: { type: 'integer' },
      kind: { type: 'string', enum: ['legal_hold', 'objection'] },
      reason: { type: 'string' },
      placedBy: { type: 'string' },
      placedAt: { type: 'string', format: 'date-time' },
      releasedBy: { type: 'string', nullable: true },
      releasedAt: { type: 'string', format: 'date-time', nullable: true },
    },
  } as const;
  const holdJson = (h: Awaited<ReturnType<typeof placeHold>>) => ({
    ...h,
    placedAt: h.placedAt.toISOString(),
    releasedAt: h.releasedAt?.toISOString() ?? null,
  });

  app.post<{ Params: { caseId: string }; Body: { kind: 'legal_hold' | 'objection'; reason: string } }>(
    '/cases/:caseId/file/holds',
    {
      config: { access: 'case:staff', roles: HOLD_ROLES },
      schema: {
        summary: 'Place a legal hold on a case, or record an objection against its decision: nothing of it is erased',
        description:
          'While a hold is in force the retention job and erasure requests keep the whole case, whatever its retention date. Recorded with who placed it and when; the overview panel lists it.',
        tags: ['case file'],
        security: bearerSecurity,
        params: { type: 'object', required: ['caseId'], properties: { caseId } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'reason'],
          properties: {
            kind: { type: 'string', enum: ['legal_hold', 'objection'] },
            reason: { type: 'string', minLength: 3, maxLength: 500 },
          },
        },
        response: { 201: holdSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const actor = requireStaff(req);
      await own(req);
      const hold = await placeHold(db, {
        caseId: req.params.caseId,
        kind: req.body.kind,
        reason: req.body.reason.trim(),
        placedBy: actor.id,
      });
      return reply.status(201).send(holdJson(hold));
    },
  );

  app.post<{ Params: { caseId: string; holdId: number } }>(
    '/cases/:caseId/file/holds/:holdId/release',
    {
      config: { access: 'case:staff', roles: HOLD_ROLES },
      schema: {
        summary: 'Release a legal hold or a settled objection; the case goes back to its retention date',
        tags: ['case file'],
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['caseId', 'holdId'],
          properties: { caseId, holdId: { type: 'integer', minimum: 1 } },
        },
        body: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: holdSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const actor = requireStaff(req);
      await own(req);
      const hold = await releaseHold(db, { caseId: req.params.caseId, id: req.params.holdId, releasedBy: actor.id });
      if (!hold) throw new HttpProblem(404, 'no such hold in force on this case');
      return holdJson(hold);
    },
  );

  app.get<{ Params: { caseId: string; sha256: string } }>(
    '/cases/:caseId/file/documents/:sha256',
    {
      config: {
        access: 'case:staff',
        roles: PANEL_ROLES.documents,
        objectionAuthority: true,
        accessLog: { kind: 'document' },
      },
      schema: {
        summary: 'Case file: download a document the case file lists',
        tags: ['case file'],
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['caseId', 'sha256'],
          properties: { caseId, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
        },
        response: {
          200: {
            description: 'the document as stored (PDF, image or XML), as an attachment',
            content: Object.fromEntries(
              ['application/pdf', 'image/png', 'image/jpeg', 'application/xml', 'application/octet-stream'].map((t) => [
                t,
                { schema: binary },
              ]),
            ),
          },
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const doc = await files.document(await own(req), req.params.sha256);
      if (!doc) throw new HttpProblem(404, 'no such document in this case');
      return reply
        .type(doc.mediaType)
        .header('content-disposition', `attachment; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"`)
        .send(doc.bytes);
    },
  );

  app.post<{ Params: { taskId: string }; Body: { channel: DeliveryChannel; note?: string; deliveredOn?: string } }>(
    '/tasks/:taskId/manual-delivery',
    {
      config: { access: 'staff', roles: MANUAL_DELIVERY_ROLES },
      schema: {
        summary: 'Report a Bescheid delivered by hand, completing its manual-delivery task',
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['taskId'],
          properties: { taskId: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['channel'],
          properties: {
            channel: { type: 'string', enum: Object.keys(DELIVERY_CHANNELS) },
            note: { type: 'string', maxLength: 2000 },
            deliveredOn: {
              type: 'string',
              format: 'date',
              description:
                'the day of Zustellung, or of posting for a plain letter; the Bekanntgabe and the remedy period are computed from it (default: today)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['taskId', 'state'],
            properties: { taskId: { type: 'string' }, state: { type: 'string' } },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const r = await completeManualDelivery(db, requireStaff(req), {
        taskId: req.params.taskId,
        channel: req.body.channel,
        note: req.body.note?.trim() ?? '',
        deliveredOn: req.body.deliveredOn,
      });
      if (!r.ok) throw new HttpProblem(r.status, r.message);
      return { taskId: req.params.taskId, state: 'completed' };
    },
  );
};

import type { FastifyPluginAsync } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import type { ArchiveStore } from '../adapters/archive-store.js';
import type { DocumentStore } from '../adapters/document-store.js';
import { caseRetention, eraseCase } from '../activities/retention.js';
import { listAktenOfApplicant } from '../db/queries/akte.js';
import { getCase } from '../db/queries/cases.js';
import { erasureRequestsOf, recordErasureRequest } from '../db/queries/retention.js';
import type { Database } from '../db/client.js';
import { recordAccess } from '../db/queries/access-log.js';
import { binary, problemResponses } from './api-schemas.js';
import { buildDataExport } from './data-export.js';
import { bearerSecurity, requireApplicant } from './http-auth.js';
import { HttpProblem } from './problem.js';

const subjectParams = {
  type: 'object',
  required: ['subject'],
  properties: { subject: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** The applicant's data-protection rights over everything the engine holds about them (DSGVO Art. 15). */
export const dataSubjectRoutes: FastifyPluginAsync<{
  db: Database;
  documents: DocumentStore;
  archive?: ArchiveStore;
}> = async (app, o) => {
  // An applicant asks only about themselves: anyone else's subject does not exist for them, before their request's
  // body is even read (so a stranger learns the same 404 whatever they send).
  app.addHook('preValidation', async (req) => {
    const applicant = requireApplicant(req);
    if (applicant.subject !== (req.params as { subject?: string }).subject)
      throw new HttpProblem(404, 'no such applicant');
  });
  app.get<{ Params: { subject: string } }>(
    '/applicants/:subject/data-export',
    {
      config: { access: 'applicant' },
      schema: {
        summary: 'Auskunft nach Art. 15 DSGVO: everything held about the applicant, as a ZIP',
        description:
          'Their cases (overview), the documents of their Akten (Antrag, evidence, questions and answers, Bescheide), decisions with their explanation, register retrievals and the access-log entries about them, with LIESMICH.txt and index.json. Only for the applicant themselves.',
        security: bearerSecurity,
        params: subjectParams,
        response: {
          200: { description: 'a ZIP archive', content: { 'application/zip': { schema: binary } } },
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      // An applicant asks only about themselves; anyone else's subject does not exist for them.
      const applicant = requireApplicant(req);
      if (applicant.subject !== req.params.subject) throw new HttpProblem(404, 'no such applicant');
      const now = new Date();
      await recordAccess(o.db, {
        at: now,
        actorId: applicant.subject,
        actorRole: 'applicant',
        kind: 'export',
        what: 'art-15',
        route: 'GET /applicants/:subject/data-export',
        applicantSubject: applicant.subject,
        outcome: 'granted',
      });
      const zip = await buildDataExport(o, applicant.subject, now);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="auskunft-${now.toISOString().slice(0, 10)}.zip"`)
        .send(Buffer.from(zip));
    },
  );

  const caseResult = {
    type: 'object',
    required: ['caseId', 'aktenzeichen', 'result', 'reason'],
    properties: {
      caseId: { type: 'string' },
      aktenzeichen: { type: 'string' },
      result: { type: 'string', enum: ['erased', 'kept'] },
      reason: { type: 'string' },
      keptUntil: { type: 'string', format: 'date-time', nullable: true },
    },
  } as const;
  const requestSchema = {
    type: 'object',
    required: ['requestId', 'requestedAt', 'cases'],
    properties: {
      requestId: { type: 'string' },
      requestedAt: { type: 'string', format: 'date-time' },
      cases: { type: 'array', items: caseResult },
    },
  } as const;

  app.post<{ Params: { subject: string } }>(
    '/applicants/:subject/erasure-requests',
    {
      config: { access: 'applicant' },
      schema: {
        summary: 'Antrag auf Löschung nach Art. 17 DSGVO: erases what no retention rule keeps, says why the rest stays',
        description:
          "Recorded, then honoured case by case: a closed case whose service's retention period has ended and that has no legal hold or objection is erased now (as the retention job would); any other case is kept, with the reason and the date until which it is kept (null while the case runs or a hold is in force).",
        security: bearerSecurity,
        params: subjectParams,
        body: { type: 'object', additionalProperties: false, properties: {} },
        response: { 201: requestSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const applicant = requireApplicant(req);
      if (applicant.subject !== req.params.subject) throw new HttpProblem(404, 'no such applicant');
      const now = new Date();
      const results: Array<{
        caseId: string;
        aktenzeichen: string;
        result: 'erased' | 'kept';
        reason: string;
        keptUntil: string | null;
      }> = [];
      for (const akte of await listAktenOfApplicant(o.db, { applicantSubject: applicant.subject })) {
        const row = await getCase(o.db, { caseId: akte.caseId });
        const closedAt = row?.status === 'closed' ? (row.closedAt ?? null) : null;
        const retention = await caseRetention(o.db, { ...akte, closedAt }, now);
        if (row && closedAt && retention.erasable) {
          await eraseCase(o, row, now, retention, 'art-17');
          results.push({
            caseId: akte.caseId,
            aktenzeichen: akte.aktenzeichen,
            result: 'erased',
            reason: 'gelöscht',
            keptUntil: null,
          });
        } else
          results.push({
            caseId: akte.caseId,
            aktenzeichen: akte.aktenzeichen,
            result: 'kept',
            reason: retention.explanation,
            keptUntil: retention.holds.length ? null : (retention.until?.toISOString() ?? null),
          });
      }
      const request = {
        requestId: randomUUID(),
        subjectSha256: sha256(applicant.subject),
        requestedAt: now,
        cases: results,
      };
      await recordErasureRequest(o.db, request);
      return reply.status(201).send({ ...request, subjectSha256: undefined, requestedAt: now.toISOString() });
    },
  );

  app.get<{ Params: { subject: string } }>(
    '/applicants/:subject/erasure-requests',
    {
      config: { access: 'applicant' },
      schema: {
        summary: "The applicant's erasure requests (Art. 17 DSGVO) and how each was honoured",
        security: bearerSecurity,
        params: subjectParams,
        response: {
          200: {
            type: 'object',
            required: ['requests'],
            properties: { requests: { type: 'array', items: requestSchema } },
          },
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      const applicant = requireApplicant(req);
      if (applicant.subject !== req.params.subject) throw new HttpProblem(404, 'no such applicant');
      const rows = await erasureRequestsOf(o.db, { subjectSha256: sha256(applicant.subject) });
      return {
        requests: rows.map((r) => ({
          requestId: r.requestId,
          requestedAt: r.requestedAt.toISOString(),
          cases: r.cases,
        })),
      };
    },
  );
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

import type { FastifyPluginAsync } from 'fastify';
import type { DocumentStore } from '../adapters/document-store.js';
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
export const dataSubjectRoutes: FastifyPluginAsync<{ db: Database; documents: DocumentStore }> = async (app, o) => {
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
};

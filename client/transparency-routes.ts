import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../db/client.js';
import { listRetrievalsOfCase, listRetrievalsOfSubject } from '../db/queries/evidence-retrievals.js';
import { HttpProblem, requireApplicant } from './http-auth.js';

/** The data-protection cockpit: which authority asked which register, for what, when, with what result. */
export const transparencyRoutes: FastifyPluginAsync<{ db: Database }> = async (app, { db }) => {
  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId/evidence-retrievals',
    {
      config: { access: 'case:party' },
      schema: { params: { type: 'object', properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } } },
    },
    async (req) => ({
      caseId: req.params.caseId,
      retrievals: await listRetrievalsOfCase(db, { caseId: req.params.caseId }),
    }),
  );

  app.get<{ Params: { subject: string } }>(
    '/applicants/:subject/evidence-retrievals',
    {
      config: { access: 'applicant' },
      schema: { params: { type: 'object', properties: { subject: { type: 'string', minLength: 1, maxLength: 128 } } } },
    },
    async (req) => {
      // An applicant asks only about themselves; anyone else's subject does not exist for them.
      if (requireApplicant(req).subject !== req.params.subject) throw new HttpProblem(404, 'no such applicant');
      return { retrievals: await listRetrievalsOfSubject(db, { subject: req.params.subject }) };
    },
  );
};

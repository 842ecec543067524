import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../db/client.js';
import { listRetrievalsOfCase, listRetrievalsOfSubject } from '../db/queries/evidence-retrievals.js';

/** The data-protection cockpit: which authority asked which register, for what, when, with what result. */
export const transparencyRoutes: FastifyPluginAsync<{ db: Database }> = async (app, { db }) => {
  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId/evidence-retrievals',
    { schema: { params: { type: 'object', properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } } } },
    async (req) => ({ caseId: req.params.caseId, retrievals: await listRetrievalsOfCase(db, { caseId: req.params.caseId }) }),
  );

  app.get<{ Params: { subject: string } }>(
    '/applicants/:subject/evidence-retrievals',
    { schema: { params: { type: 'object', properties: { subject: { type: 'string', minLength: 1, maxLength: 128 } } } } },
    async (req) => ({ retrievals: await listRetrievalsOfSubject(db, { subject: req.params.subject }) }),
  );
};

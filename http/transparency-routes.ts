import { CASE_WORK } from './access.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../db/client.js';
import { listRetrievalsOfCase, listRetrievalsOfSubject } from '../db/queries/evidence-retrievals.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { bearerSecurity, requireApplicant } from './http-auth.js';
import { HttpProblem } from './problem.js';

/** The data-protection cockpit: which authority asked which register, for what, when, with what result. */
export const transparencyRoutes: FastifyPluginAsync<{ db: Database }> = async (app, { db }) => {
  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId/evidence-retrievals',
    {
      // Which register was asked about the applicant: case work only.
      config: { access: 'case:party', roles: CASE_WORK },
      schema: {
        summary: "The case's transparency log: which register was asked for what, when, with what result",
        security: bearerSecurity,
        params: caseParams,
        response: {
          200: {
            type: 'object',
            required: ['caseId', 'retrievals'],
            properties: {
              caseId: { type: 'string' },
              retrievals: { type: 'array', items: { $ref: 'EvidenceRetrieval#' } },
            },
          },
          ...problemResponses(404),
        },
      },
    },
    async (req) => ({
      caseId: req.params.caseId,
      retrievals: (await listRetrievalsOfCase(db, { caseId: req.params.caseId })).map(asJson),
    }),
  );

  app.get<{ Params: { subject: string } }>(
    '/applicants/:subject/evidence-retrievals',
    {
      config: { access: 'applicant' },
      schema: {
        summary: "The transparency log across all of one applicant's cases (data-protection cockpit)",
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['subject'],
          properties: { subject: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['retrievals'],
            properties: { retrievals: { type: 'array', items: { $ref: 'EvidenceRetrieval#' } } },
          },
          ...problemResponses(404),
        },
      },
    },
    async (req) => {
      // An applicant asks only about themselves; anyone else's subject does not exist for them.
      if (requireApplicant(req).subject !== req.params.subject) throw new HttpProblem(404, 'no such applicant');
      return { retrievals: (await listRetrievalsOfSubject(db, { subject: req.params.subject })).map(asJson) };
    },
  );
};

/** Instants as ISO strings, as the response schema says (and as JSON would have written them). */
const asJson = <R extends { requestedAt: Date; answeredAt: Date }>(r: R) => ({
  ...r,
  requestedAt: r.requestedAt.toISOString(),
  answeredAt: r.answeredAt.toISOString(),
});

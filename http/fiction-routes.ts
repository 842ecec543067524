import type { FastifyPluginAsync } from 'fastify';
import type { CaseClient } from '../client/case-client.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import { CASE_WORK } from './access.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { bearerSecurity, requireStaff } from './http-auth.js';
import { HttpProblem, workflowProblem } from './problem.js';

const count = { type: 'integer', minimum: 1, maximum: 24 } as const;

/** The case worker's one extension of an approval by fiction's period (§ 42a Abs. 2 Satz 3 VwVfG). */
export const fictionRoutes: FastifyPluginAsync<{ cases: CaseClient }> = async (app, { cases }) => {
  app.post<{ Params: { caseId: string }; Body: { reason: string; period: Record<string, number> } }>(
    '/cases/:caseId/fiction-extension',
    {
      config: { access: 'case:staff', roles: CASE_WORK },
      schema: {
        summary: 'Extend the period of an approval by fiction once, with a reason',
        description:
          'Once per case, before the period ends, by at most the maximum the service declares; the applicant gets a ' +
          'letter with the reason and the new end (§ 42a Abs. 2 Satz 3 and 4 VwVfG). Refused (409) a second time, after ' +
          'the end, beyond the maximum, or where the case runs no such period.',
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason', 'period'],
          properties: {
            reason: { type: 'string', minLength: 1, maxLength: 2_000, pattern: PRINTABLE_TEXT_PATTERN },
            period: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: { months: count, weeks: count, days: { type: 'integer', minimum: 1, maximum: 366 } },
            },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['caseId', 'endsOn'],
            properties: { caseId: { type: 'string' }, endsOn: { type: 'string', format: 'date' } },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const actor = requireStaff(req);
      const { caseId } = req.params;
      const f = req.caseState?.fiction;
      if (req.caseState?.status === 'closed' || f?.state !== 'running')
        throw new HttpProblem(409, 'Für diesen Vorgang läuft keine Frist der Genehmigungsfiktion.');
      const state = await cases
        .extendFiction(caseId, { by: actor.id, reason: req.body.reason, period: req.body.period })
        .catch((err: unknown) => Promise.reject(workflowProblem(err, 'Diesen Vorgang gibt es nicht.')));
      return { caseId, endsOn: state.fiction?.endsOn };
    },
  );
};

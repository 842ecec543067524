import { CASE_WORK } from './access.js';
import type { FastifyPluginAsync } from 'fastify';
import type { CaseClient } from '../client/case-client.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import type { TaskClient } from '../client/task-client.js';
import { problemResponses } from './api-schemas.js';
import { bearerSecurity, requireApplicant, requirePrincipal } from './http-auth.js';

const caseParams = {
  type: 'object',
  required: ['caseId'],
  properties: { caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' } },
} as const;

/** The applicant's side of a case: its timeline and replies to the case worker's questions. */
export const applicantRoutes: FastifyPluginAsync<{ cases: CaseClient; tasks: TaskClient }> = async (app, { tasks }) => {
  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId/timeline',
    {
      config: { access: 'case:party', roles: CASE_WORK },
      schema: {
        summary: 'What happened to a case so far, as its applicant may read it',
        security: bearerSecurity,
        params: caseParams,
        response: { 200: { type: 'array', items: { $ref: 'TimelineEntry#' } }, ...problemResponses(401, 404) },
      },
    },
    async (req) => {
      const principal = requirePrincipal(req);
      const events = await tasks.timeline(req.params.caseId);
      // Applicants see what happened and when; who decided and why stays with the authority until the Bescheid says it.
      return principal.role === 'applicant' ? events.map(({ data: _data, ...e }) => e) : events;
    },
  );

  app.post<{ Params: { caseId: string }; Body: { questionId: string; answer: string } }>(
    '/cases/:caseId/replies',
    {
      config: { access: 'case:applicant' },
      schema: {
        summary: "The applicant answers a case worker's question",
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['questionId', 'answer'],
          properties: {
            questionId: { type: 'string', minLength: 1, maxLength: 200 },
            answer: { type: 'string', minLength: 1, maxLength: 10_000, pattern: PRINTABLE_TEXT_PATTERN },
          },
        },
        response: {
          200: { type: 'object', properties: { questionId: { type: 'string' }, accepted: { type: 'boolean' } } },
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req) => {
      const applicant = requireApplicant(req);
      await tasks.reply(req.params.caseId, {
        questionId: req.body.questionId,
        answer: req.body.answer,
        subject: applicant.subject,
      });
      return { questionId: req.body.questionId, accepted: true };
    },
  );
};

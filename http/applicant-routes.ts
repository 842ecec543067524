import { CASE_WORK } from './access.js';
import type { FastifyPluginAsync } from 'fastify';
import type { CaseClient } from '../client/case-client.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import type { TaskClient } from '../client/task-client.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { HttpProblem, workflowProblem } from './problem.js';
import { WITHDRAWAL_TOO_LATE } from '../workflows/contracts/case.js';
import { bearerSecurity, requireApplicant, requirePrincipal } from './http-auth.js';

/** The applicant's side of a case: its timeline and replies to the case worker's questions. */
export const applicantRoutes: FastifyPluginAsync<{ cases: CaseClient; tasks: TaskClient }> = async (
  app,
  { cases, tasks },
) => {
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

  app.post<{ Params: { caseId: string }; Body: { reason?: string } }>(
    '/cases/:caseId/withdrawal',
    {
      config: { access: 'case:applicant' },
      schema: {
        summary: 'The applicant withdraws the application, until the decision is issued',
        description:
          'Accepted, the case ends as withdrawn: open tasks are cancelled, a fee paid in advance is refunded where the ' +
          "service declares it (`fee.refundOn: ['withdrawn']`), and a confirmation goes to the applicant's postbox. " +
          'Refused (409) once the Bescheid is being issued or the case has closed.',
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 2_000, pattern: PRINTABLE_TEXT_PATTERN } },
        },
        response: {
          202: {
            type: 'object',
            required: ['caseId', 'accepted'],
            properties: { caseId: { type: 'string' }, accepted: { type: 'boolean' } },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const applicant = requireApplicant(req);
      const { caseId } = req.params;
      const state = await cases.view(caseId);
      if (!state) throw new HttpProblem(404, 'Diesen Vorgang gibt es nicht.');
      if (state.status === 'closed') throw new HttpProblem(409, WITHDRAWAL_TOO_LATE);
      await cases
        .withdraw(caseId, { subject: applicant.subject, ...(req.body?.reason && { reason: req.body.reason }) })
        .catch((err: unknown) => Promise.reject(workflowProblem(err, 'Diesen Vorgang gibt es nicht.')));
      return reply.status(202).send({ caseId, accepted: true });
    },
  );
};

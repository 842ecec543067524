import { CASE_WORK } from './access.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Assistant } from '../adapters/assistant/assistant.js';
import { findServices } from '../adapters/assistant/service-finder.js';
import { listServices } from '../services/catalogue.js';
import { problemResponses } from './api-schemas.js';
import { bearerSecurity, requireApplicant, requirePrincipal, requireStaff } from './http-auth.js';
import { HttpProblem, workflowProblem } from './problem.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import type { QuestionClient } from '../client/question-client.js';

export interface AssistantRoutesOptions {
  /** Absent or switched off: the finder answers from the catalogue alone. */
  assistant?: Assistant;
  questions?: QuestionClient;
}

const caseParams = {
  type: 'object',
  required: ['caseId'],
  properties: {
    caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
    questionId: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  },
} as const;

// A refused confirmation is the caller's mistake (409), an unknown case or question is 404; the rest stays a 500.
const noSuchQuestion = 'no such case or question';

/** The service finder and applicants' questions; what a model writes is labelled and never sent unconfirmed. */
export const assistantRoutes: FastifyPluginAsync<AssistantRoutesOptions> = async (app, o) => {
  app.get<{ Querystring: { q: string } }>(
    '/services/search',
    {
      config: { access: 'public' },
      schema: {
        querystring: {
          type: 'object',
          required: ['q'],
          properties: { q: { type: 'string', minLength: 2, maxLength: 500 } },
        },
        summary: 'Service finder: matching services for a free-text concern',
        response: { 200: { $ref: 'ServiceSearchResult#' } },
      },
    },
    async (req) => findServices({ catalogue: listServices(), assistant: o.assistant }, req.query.q),
  );

  const questions = o.questions;
  if (!questions) return;

  app.post<{ Params: { caseId: string }; Body: { subject: string; question: string } }>(
    '/cases/:caseId/questions',
    {
      config: { access: 'case:applicant' },
      schema: {
        summary: "An applicant's question on their case, in their own name",
        security: bearerSecurity,
        params: { type: 'object', required: ['caseId'], properties: { caseId: caseParams.properties.caseId } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['subject', 'question'],
          properties: {
            subject: { type: 'string', minLength: 1, maxLength: 128 },
            question: { type: 'string', minLength: 1, maxLength: 4000, pattern: PRINTABLE_TEXT_PATTERN },
          },
        },
        response: {
          202: { type: 'object', required: ['questionId'], properties: { questionId: { type: 'string' } } },
          ...problemResponses(404, 409),
        },
      },
    },
    async (req, reply) => {
      if (req.body.subject !== requireApplicant(req).subject)
        throw new HttpProblem(403, 'an applicant asks only in their own name');
      const { questionId } = await questions
        .ask(req.params.caseId, { recipient: req.body.subject, question: req.body.question })
        .catch((err: unknown) => {
          throw workflowProblem(err, noSuchQuestion);
        });
      return reply
        .status(202)
        .header('location', `/cases/${req.params.caseId}/questions/${questionId}`)
        .send({ questionId });
    },
  );

  app.get<{ Params: { caseId: string; questionId: string } }>(
    '/cases/:caseId/questions/:questionId',
    {
      config: { access: 'case:party', roles: CASE_WORK },
      schema: {
        summary: "The question's state; the applicant never sees an unreviewed draft",
        security: bearerSecurity,
        params: { ...caseParams, required: ['caseId', 'questionId'] },
        response: { 200: { $ref: 'QuestionState#' }, ...problemResponses(404) },
      },
    },
    async (req) => {
      const state = await questions
        .state(req.params.caseId, req.params.questionId)
        .catch((err: unknown) => Promise.reject(workflowProblem(err, noSuchQuestion)));
      // The applicant sees where their question stands; an unreviewed draft and who confirmed it stay with the authority.
      if (requirePrincipal(req).role !== 'applicant') return state;
      const { draft: _draft, draftFailed: _failed, confirmedBy: _by, ...visible } = state;
      return visible;
    },
  );

  app.post<{ Params: { caseId: string; questionId: string }; Body: { caseWorker: string; text: string } }>(
    '/cases/:caseId/questions/:questionId/confirmation',
    {
      config: { access: 'case:staff', roles: CASE_WORK },
      schema: {
        summary: 'A case worker releases the answer in their own name',
        security: bearerSecurity,
        params: { ...caseParams, required: ['caseId', 'questionId'] },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['caseWorker', 'text'],
          properties: {
            caseWorker: { type: 'string', minLength: 1, maxLength: 128 },
            text: { type: 'string', minLength: 1, maxLength: 20000, pattern: PRINTABLE_TEXT_PATTERN },
          },
        },
        response: { 200: { $ref: 'QuestionState#' }, ...problemResponses(404, 409) },
      },
    },
    async (req) => {
      const staff = requireStaff(req);
      if (staff.role !== 'case_worker' && staff.role !== 'supervisor')
        throw new HttpProblem(403, 'only case workers and supervisors confirm answers');
      if (req.body.caseWorker !== staff.id) throw new HttpProblem(403, 'a case worker confirms only in their own name');
      try {
        return await questions.confirm(req.params.caseId, req.params.questionId, req.body);
      } catch (err) {
        throw workflowProblem(err, noSuchQuestion);
      }
    },
  );
};

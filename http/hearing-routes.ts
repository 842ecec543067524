import type { FastifyPluginAsync } from 'fastify';
import type { DocumentStore } from '../adapters/document-store.js';
import type { CaseClient } from '../client/case-client.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { bearerSecurity, requireApplicant } from './http-auth.js';
import { HttpProblem, workflowProblem } from './problem.js';
import { ATTACHMENTS_BODY_SCHEMA, decodedAttachments, storeCheckedAttachments } from './upload-check.js';

export interface HearingRoutesOptions {
  cases: CaseClient;
  documents: DocumentStore;
  maxBytes: number;
}

const NO_HEARING = 'Zu diesem Antrag läuft keine Anhörung.';

/** The hearing before a rejection (§ 28 VwVfG): the applicant's statement on the intended decision. */
export const hearingRoutes: FastifyPluginAsync<HearingRoutesOptions> = async (app, o) => {
  app.post<{
    Params: { caseId: string };
    Body: { text: string; attachments?: Array<{ fileName: string; content: string }> };
  }>(
    '/cases/:caseId/hearing-statement',
    {
      config: { access: 'case:applicant' },
      bodyLimit: 4 * o.maxBytes,
      schema: {
        summary: 'The applicant states their view on the intended rejection (Anhörung, § 28 VwVfG)',
        description:
          'Text and up to five attachments (PDF, PNG or JPEG, base64, checked by content), filed in the Akte; a case ' +
          'worker then decides, seeing the statement. Accepted until the statement deadline (`hearing.statementDueOn` ' +
          'in the milestones); refused (409) where no hearing waits for a statement, and a second statement.',
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: {
            text: { type: 'string', minLength: 1, maxLength: 20_000, pattern: PRINTABLE_TEXT_PATTERN },
            attachments: ATTACHMENTS_BODY_SCHEMA,
          },
        },
        response: {
          202: {
            type: 'object',
            required: ['caseId', 'accepted'],
            properties: { caseId: { type: 'string' }, accepted: { type: 'boolean' } },
          },
          ...problemResponses(400, 401, 403, 404, 409, 413, 415),
        },
      },
    },
    async (req, reply) => {
      const applicant = requireApplicant(req);
      const { caseId } = req.params;
      const state = await o.cases.view(caseId);
      if (!state) throw new HttpProblem(404, 'Diesen Vorgang gibt es nicht.');
      if (state.hearing?.status !== 'awaiting_statement') throw new HttpProblem(409, NO_HEARING);
      const attachments = await storeCheckedAttachments(
        o.documents,
        decodedAttachments(req.body.attachments),
        o.maxBytes,
      );
      await o.cases
        .submitHearingStatement(caseId, { subject: applicant.subject, text: req.body.text, attachments })
        .catch((err: unknown) => Promise.reject(workflowProblem(err, 'Diesen Vorgang gibt es nicht.')));
      return reply.status(202).send({ caseId, accepted: true });
    },
  );
};

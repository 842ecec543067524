import type { FastifyPluginAsync } from 'fastify';
import type { DocumentStore } from '../adapters/document-store.js';
import type { Database } from '../db/client.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { binary, problemResponses } from './api-schemas.js';
import { bearerSecurity } from './http-auth.js';
import { HttpProblem } from './problem.js';

/**
 * The applicant downloads a document the engine delivered to them (the link in a reply-channel e-mail): only their own
 * case's, and only one that was delivered, never a draft or an internal document.
 */
export const documentRoutes: FastifyPluginAsync<{ db: Database; documents: DocumentStore }> = async (
  app,
  { db, documents },
) => {
  app.get<{ Params: { caseId: string; sha256: string } }>(
    '/cases/:caseId/documents/:sha256',
    {
      config: { access: 'case:applicant' },
      schema: {
        summary: 'A document delivered to the applicant of this case (the Bescheid), as PDF',
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['caseId', 'sha256'],
          properties: {
            caseId: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          },
        },
        response: { 200: binary, ...problemResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const delivered = await listDeliveries(db, { caseId: req.params.caseId });
      if (!delivered.some((d) => d.documentSha256 === req.params.sha256))
        throw new HttpProblem(404, 'Zu diesem Antrag wurde kein solches Dokument zugestellt.');
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${req.params.sha256.slice(0, 12)}.pdf"`)
        .send(await documents.get(req.params.sha256));
    },
  );
};

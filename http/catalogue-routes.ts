import type { FastifyInstance } from 'fastify';
import { describeService, findService, listServices, UnknownServiceError } from '../services/catalogue.js';
import { problemResponses } from './api-schemas.js';
import { HttpProblem } from './problem.js';

/** The service catalogue, machine-readable for portals: schemas, evidence, fees, trust level, authorities. */
export async function catalogueRoutes(app: FastifyInstance) {
  app.get(
    '/services',
    {
      config: { access: 'public' },
      schema: {
        summary: 'The service catalogue',
        response: { 200: { type: 'array', items: { $ref: 'ServiceSummary#' } } },
      },
    },
    async () =>
      listServices().map((s) => ({
        key: s.key,
        name: s.name,
        legalBasis: s.legalBasis,
        minimumTrustLevel: s.minimumTrustLevel,
        authorities: Object.keys(s.authorities),
        href: `/services/${s.key}`,
      })),
  );

  app.get<{ Params: { serviceKey: string } }>(
    '/services/:serviceKey',
    {
      config: { access: 'public' },
      schema: {
        summary: 'One service, machine-readable',
        params: {
          type: 'object',
          required: ['serviceKey'],
          properties: { serviceKey: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: { $ref: 'ServiceDescription#' }, ...problemResponses(404) },
      },
    },
    async (req) => {
      try {
        return describeService(findService(req.params.serviceKey));
      } catch (err) {
        if (err instanceof UnknownServiceError) throw new HttpProblem(404, err.message, { code: 'unknown_service' });
        throw err;
      }
    },
  );
}

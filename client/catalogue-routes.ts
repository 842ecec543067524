import type { FastifyInstance } from 'fastify';
import { describeService, findService, listServices, UnknownServiceError } from '../services/catalogue.js';
import { sendProblem } from './problem.js';

/** The service catalogue, machine-readable for portals: schemas, evidence, fees, trust level, authorities. */
export async function catalogueRoutes(app: FastifyInstance) {
  app.get('/services', { config: { access: 'public' } }, async () =>
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
    { config: { access: 'public' } },
    async (req, reply) => {
      try {
        return describeService(findService(req.params.serviceKey));
      } catch (err) {
        if (err instanceof UnknownServiceError)
          return sendProblem(reply, { status: 404, code: 'unknown_service', detail: err.message });
        throw err;
      }
    },
  );
}

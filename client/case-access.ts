import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseClient } from './case-client.js';
import { HttpProblem, maySeeCase, requireApplicant, requirePrincipal, requireStaff } from './http-auth.js';

type Who = 'party' | 'applicant' | 'staff';

// Routes that plugins add under a case, and who may call them: the case's applicant, its authority's staff, or either.
const caseRoutes: Record<string, Who> = {
  'GET /cases/:caseId/evidence-retrievals': 'party',
  'GET /cases/:caseId/milestones': 'party',
  'POST /cases/:caseId/evidence/:evidenceType': 'applicant',
  'POST /cases/:caseId/questions': 'applicant',
  'GET /cases/:caseId/questions/:questionId': 'party',
  'POST /cases/:caseId/questions/:questionId/confirmation': 'staff',
};

/**
 * One policy for the routes other plugins add. The HKR export is for staff. A case route needs a bearer token of the
 * case's applicant or of its authority's staff; to anyone else (another applicant, another authority) the case does not exist.
 */
export function guardCaseRoutes(app: FastifyInstance, cases: CaseClient): void {
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const route = `${req.method} ${req.routeOptions.url}`;
    const params = req.params as { caseId?: string; subject?: string };
    // The HKR export is for the authority's budget office, never for the public.
    if (route === 'GET /payments/bookings') return void requireStaff(req);
    if (route === 'GET /applicants/:subject/evidence-retrievals') {
      if (requireApplicant(req).subject !== params.subject) throw new HttpProblem(404, 'no such applicant');
      return;
    }
    const who = caseRoutes[route];
    if (!who || !params.caseId) return;
    const principal = requirePrincipal(req);
    if (who === 'applicant') {
      const body = req.body as { subject?: string } | undefined;
      if (body?.subject !== undefined && body.subject !== requireApplicant(req).subject) throw new HttpProblem(403, 'an applicant asks only in their own name');
      requireApplicant(req);
    }
    if (who === 'staff') {
      const staff = requireStaff(req);
      const body = req.body as { caseWorker?: string } | undefined;
      if (body?.caseWorker !== undefined && body.caseWorker !== staff.id) throw new HttpProblem(403, 'a case worker confirms only in their own name');
    }
    const state = await cases.status(params.caseId).catch((err: Error) => {
      throw err.name === 'WorkflowNotFoundError' ? new HttpProblem(404, 'no such case') : err;
    });
    if (!maySeeCase(principal, state)) throw new HttpProblem(404, 'no such case');
  });
}

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
 * One policy for the case routes the evidence, question and cockpit plugins add: bearer token required, and a case
 * that is not the caller's (another applicant's, another authority's) does not exist for them.
 */
export function guardCaseRoutes(app: FastifyInstance, cases: CaseClient): void {
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const route = `${req.method} ${req.routeOptions.url}`;
    const params = req.params as { caseId?: string; subject?: string };
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

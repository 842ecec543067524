import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidTokenError, type Principal, type TokenVerifier } from '../platform/auth/tokens.js';
import type { StaffActor } from '../workflows/contracts/task.js';
import { bearerChallenge, HttpProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** A 401 for a missing or unusable bearer token; the answer names the scheme the caller should use. */
export const unauthorized = (detail: string): HttpProblem => new HttpProblem(401, detail, { headers: bearerChallenge });

/** Reads the bearer token on every request; routes then say whom they admit. */
export function installAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (!header) return;
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw unauthorized('expected "Authorization: Bearer <token>"');
    req.principal = await verifier.verify(token).catch((err: unknown) => {
      throw err instanceof InvalidTokenError ? unauthorized(err.message) : err;
    });
  });
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized('a bearer token is required');
  return req.principal;
}

export function requireApplicant(req: FastifyRequest): Extract<Principal, { role: 'applicant' }> {
  const p = requirePrincipal(req);
  if (p.role !== 'applicant') throw new HttpProblem(403, 'only applicants may do this');
  return p;
}

export function requireStaff(req: FastifyRequest): StaffActor {
  const p = requirePrincipal(req);
  if (p.role === 'applicant') throw new HttpProblem(403, 'only case workers and supervisors may do this');
  return { id: p.subject, role: p.role, authorityId: p.authorityId };
}

/** Whether the caller may see this case: the applicant who filed it, or staff of its authority. */
export function maySeeCase(p: Principal, c: { applicantSubject?: string | null; authorityId: string }): boolean {
  return p.role === 'applicant' ? c.applicantSubject === p.subject : p.authorityId === c.authorityId;
}

export const bearerSecurity = [{ bearer: [] }];

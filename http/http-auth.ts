import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidTokenError, type Principal, type TokenVerifier } from '../platform/auth/tokens.js';
import type { StaffActor } from '../workflows/contracts/task.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** An answer that is already a problem detail: status and a reason safe to show. */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the bearer token on every request; routes then say whom they admit. */
export function installAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (!header) return;
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token)
      throw new HttpProblem(401, 'expected "Authorization: Bearer <token>"');
    req.principal = await verifier.verify(token).catch((err: unknown) => {
      throw err instanceof InvalidTokenError ? new HttpProblem(401, err.message) : err;
    });
  });
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new HttpProblem(401, 'a bearer token is required');
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

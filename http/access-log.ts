import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { recordAccess } from '../db/queries/access-log.js';
import { findAkte } from '../db/queries/akte.js';
import { getCase } from '../db/queries/cases.js';
import { akteDocuments } from '../db/schema.js';
import type { StaffActor } from '../workflows/contracts/task.js';
import { HttpProblem } from './problem.js';

/** What a read of the Akte is, as the route declares it: a panel, a document (its sha256 in the path) or the case page. */
export interface AccessLogDeclaration {
  kind: 'panel' | 'document' | 'page';
  /** The panel's name or the page's; a document is named by its id in the Akte's index (else `sha256:<hex>`). */
  what?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route reads an Akte for staff: every request by staff is recorded in the access log before it is answered. */
    accessLog?: AccessLogDeclaration;
  }
}

const caseIdPattern = /^[0-9a-f-]{36}$/;

/** The staff member behind a request: the bearer token's (API) or the session's (workbench); none for applicants. */
function staffOf(req: FastifyRequest): StaffActor | undefined {
  const p = req.principal;
  if (p && p.role !== 'applicant') return { id: p.subject, role: p.role, authorityId: p.authorityId };
  const s = req.staff;
  return s ? { id: s.id, role: s.role, authorityId: s.authorityId } : undefined;
}

/**
 * The one place that records staff reads of an Akte: every route that declares `config.accessLog` (the case-file
 * panels, their document downloads, the workbench case page and its downloads) is recorded here, granted or refused,
 * after the route decided and before anything is sent. A read whose record fails is not answered (500).
 * Refusals are recorded too when the case exists (another authority's staff get a 404, and the case's authority sees
 * the attempt); a request for a case that does not exist read nothing and is not recorded.
 */
export function recordStaffReads(app: FastifyInstance, db: Database): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const declared = req.routeOptions.config.accessLog;
    if (!declared) return payload;
    const actor = staffOf(req);
    const params = req.params as { caseId?: string; sha256?: string };
    if (!actor || !params.caseId || !caseIdPattern.test(params.caseId)) return payload;
    try {
      const akte =
        (await findAkte(db, { caseId: params.caseId })) ?? (await getCase(db, { caseId: params.caseId })) ?? undefined;
      if (!akte) return payload;
      await recordAccess(db, {
        actorId: actor.id,
        actorRole: actor.role,
        actorAuthorityId: actor.authorityId ?? null,
        kind: declared.kind,
        what: await whatOf(db, declared, params.caseId, params.sha256),
        route: `${req.method === 'HEAD' ? 'GET' : req.method} ${req.routeOptions.url}`,
        caseId: params.caseId,
        authorityId: akte.authorityId,
        applicantSubject: akte.applicantSubject ?? null,
        outcome: reply.statusCode < 400 ? 'granted' : 'refused',
      });
      return payload;
    } catch (err) {
      req.log.error({ err }, 'access log not written: the read is not answered');
      const problem = new HttpProblem(500, 'The request could not be processed.');
      void reply.code(500).type('application/problem+json');
      reply.removeHeader('content-disposition');
      return JSON.stringify(problem.body());
    }
  });
}

async function whatOf(db: Database, d: AccessLogDeclaration, caseId: string, sha256?: string): Promise<string> {
  if (d.kind !== 'document') return d.what ?? 'case';
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) return 'document';
  const [doc] = await db
    .select({ documentId: akteDocuments.documentId })
    .from(akteDocuments)
    .where(and(eq(akteDocuments.caseId, caseId), eq(akteDocuments.sha256, sha256)))
    .limit(1);
  return doc?.documentId ?? `sha256:${sha256}`;
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../platform/auth/tokens.js';
import type { CaseState } from '../workflows/contracts/case.js';
import type { StaffRole } from '../workflows/contracts/task.js';
import type { CaseClient } from '../client/case-client.js';
import { maySeeCase, requirePrincipal, unauthorized } from './http-auth.js';
import { HttpProblem } from './problem.js';
import { objectionAuthorityOf } from '../activities/objection.js';

/**
 * The staff roles a route is for. Every route that admits staff declares them (`config.roles`): a route without a row
 * stops start-up, so least privilege is decided per route, not inherited. Case work is case workers and supervisors.
 */
export const CASE_WORK: readonly StaffRole[] = ['case_worker', 'supervisor'];
/** Ids and states only, no personal data: every staff role of the authority. */
export const ALL_STAFF: readonly StaffRole[] = ['case_worker', 'supervisor', 'operator', 'budget_office'];
/** Accesses that admit staff, where `config.roles` is required. */
const STAFF_ACCESS: readonly Access[] = ['staff', 'case:party', 'case:staff'];

/** Who may call a route; every route declares one in `config.access`, and a route without it stops start-up. */
export const ACCESS = [
  'public',
  'webhook',
  'applicant',
  'staff',
  'case:party',
  'case:applicant',
  'case:staff',
  'role:supervisor',
  'role:operator',
  'role:budget_office',
] as const;
export type Access = (typeof ACCESS)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Staff roles the route is for, where not every staff role (least privilege); the access check refuses the rest. */
    roles?: readonly StaffRole[];
    /**
     * A `case:staff` route the objection authority's staff may call too, where the service names another authority
     * (`lifecycle.objection.authority.authorityId`) and the case has an objection: reading the Akte and deciding.
     */
    objectionAuthority?: boolean;
  }
  interface FastifyRequest {
    /** The case a `case:*` route is about, as the access check read it; handlers reuse it instead of asking again. */
    caseState?: CaseState;
  }
}

export class UndeclaredAccessError extends Error {
  constructor(
    readonly routes: string[],
    readonly withoutRoles: string[] = [],
  ) {
    super(
      [
        routes.length &&
          `every route must declare config.access (one of ${ACCESS.join(', ')}); missing or unknown on: ${routes.join(', ')}`,
        withoutRoles.length &&
          `every route that admits staff must declare config.roles (its row of docs/access-matrix.md); missing on: ${withoutRoles.join(', ')}`,
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
}

const declaredOn = new WeakMap<FastifyInstance, Map<string, Access>>();
const rolesOn = new WeakMap<FastifyInstance, Map<string, readonly StaffRole[]>>();
const objectionAuthorityOn = new WeakMap<FastifyInstance, Set<string>>();
/** Every route as "METHOD /path" (HEAD and hidden routes included) with its declared access. */
export const declaredAccessOf = (app: FastifyInstance): Map<string, Access> => declaredOn.get(app) ?? new Map();
/** The routes that narrow their access to some staff roles, as "METHOD /path". */
export const declaredRolesOf = (app: FastifyInstance): Map<string, readonly StaffRole[]> =>
  rolesOn.get(app) ?? new Map();

/** The routes the objection authority of another authority may call too (`config.objectionAuthority`). */
export const declaredObjectionAuthorityOf = (app: FastifyInstance): Set<string> =>
  objectionAuthorityOn.get(app) ?? new Set();

const routeKey = (method: string | string[], url: string) => `${[method].flat().join(',')} ${url}`;

/**
 * Refuses by default: collects every route without a known `config.access` and fails `ready()` (so `listen()` and
 * `inject()` too) naming all of them at once. Call before any route is added.
 */
export function requireDeclaredAccess(app: FastifyInstance): void {
  const undeclared: string[] = [];
  const withoutRoles: string[] = [];
  const declared = new Map<string, Access>();
  const narrowed = new Map<string, readonly StaffRole[]>();
  declaredOn.set(app, declared);
  rolesOn.set(app, narrowed);
  const forObjectionAuthority = new Set<string>();
  objectionAuthorityOn.set(app, forObjectionAuthority);
  app.addHook('onRoute', (r) => {
    const access = (r.config as { access?: unknown } | undefined)?.access;
    if (!ACCESS.includes(access as Access)) return void undeclared.push(routeKey(r.method, r.url));
    const roles = (r.config as { roles?: readonly StaffRole[] }).roles;
    if (STAFF_ACCESS.includes(access as Access) && !roles?.length) withoutRoles.push(routeKey(r.method, r.url));
    for (const m of [r.method].flat()) {
      declared.set(`${m} ${r.url}`, access as Access);
      if (roles) narrowed.set(`${m} ${r.url}`, roles);
      if ((r.config as { objectionAuthority?: boolean }).objectionAuthority) forObjectionAuthority.add(`${m} ${r.url}`);
    }
    // The OpenAPI document then says of every protected route that it needs a bearer token, and of every other one
    // that it needs none (`security: []`): a public route, or a webhook that checks its sender's signature itself.
    if (!r.schema?.security)
      r.schema = { ...r.schema, security: access !== 'public' && access !== 'webhook' ? [{ bearer: [] }] : [] };
    // A stable operationId for client generators, from the method and the path: GET /tasks/:taskId is getTasksByTaskId.
    if (!(r.schema as { operationId?: string }).operationId)
      r.schema = { ...r.schema, operationId: operationIdOf([r.method].flat()[0]!, r.url) } as typeof r.schema;
  });
  app.addHook('onReady', async () => {
    if (undeclared.length || withoutRoles.length)
      throw new UndeclaredAccessError([...new Set(undeclared)], [...new Set(withoutRoles)]);
  });
}

/** `POST /cases/:caseId/replies` → `postCasesByCaseIdReplies`. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .flatMap((part) => (part.startsWith(':') ? ['by', part.slice(1)] : part.split(/[^A-Za-z0-9]+/)));
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

const roleOf: Partial<Record<Access, StaffRole>> = {
  'role:supervisor': 'supervisor',
  'role:operator': 'operator',
  'role:budget_office': 'budget_office',
};

/** Whether a principal of this kind may call a route of this access at all, before any case is looked at. */
function refusal(access: Access, p: Principal | undefined): HttpProblem | undefined {
  if (access === 'public' || access === 'webhook') return undefined;
  if (!p) return unauthorized('a bearer token is required');
  const staff = p.role !== 'applicant';
  if ((access === 'applicant' && staff) || ((access === 'staff' || access.startsWith('role:')) && !staff))
    return new HttpProblem(403, 'not allowed for this kind of caller');
  const role = roleOf[access];
  if (role && p.role !== role) return new HttpProblem(403, `only the role ${role} may do this`);
  return undefined;
}

/**
 * The one place that enforces `config.access` on every request, HEAD exactly as GET. For `case:*` routes it reads the
 * case: to anyone who is not a party the case does not exist (404); a party of the wrong kind is refused (403).
 */
export function enforceAccess(app: FastifyInstance, cases: CaseClient): void {
  app.decorateRequest('caseState', undefined);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config.access;
    // Fastify's own 404 handler has no declaration; everything else was checked at start-up.
    if (!access) {
      if (req.is404) return;
      throw new HttpProblem(403, 'route without access declaration');
    }
    const denied = refusal(access, req.principal);
    if (denied) throw denied;
    const roles = req.routeOptions.config.roles;
    const p = req.principal;
    if (roles && p && p.role !== 'applicant' && !roles.includes(p.role))
      throw new HttpProblem(403, `only the roles ${roles.join(', ')} may do this`);
    if (!access.startsWith('case:')) return;
    const principal = requirePrincipal(req);
    const caseId = (req.params as { caseId?: string }).caseId;
    if (!caseId || !/^[0-9a-f-]{36}$/.test(caseId)) throw new HttpProblem(404, 'no such case');
    // From the Akte once the case closed: a closed case answers the same with or without Temporal's history.
    const state = await cases.view(caseId);
    const asObjectionAuthority = async (c: CaseState) =>
      req.routeOptions.config.objectionAuthority === true &&
      (principal.role === 'case_worker' || principal.role === 'supervisor') &&
      objectionAuthorityOf(c.serviceKey, c.authorityId) === principal.authorityId &&
      (await cases.objections.find(caseId)) !== undefined;
    if (!state || !(maySeeCase(principal, state) || (await asObjectionAuthority(state))))
      throw new HttpProblem(404, 'no such case');
    const isApplicant = principal.role === 'applicant';
    if ((access === 'case:applicant' && !isApplicant) || (access === 'case:staff' && isApplicant))
      throw new HttpProblem(403, 'not allowed for this kind of caller');
    req.caseState = state;
  });
}

/** The refusals the access check itself answers for a route of this access (besides the route's own). */
const refusalsOf: Record<Access, number[]> = {
  public: [401], // a bearer token, if sent, must still be valid
  webhook: [401],
  applicant: [401, 403, 404],
  staff: [401, 403, 404],
  'case:party': [401, 404],
  'case:applicant': [401, 403, 404],
  'case:staff': [401, 403, 404],
  'role:supervisor': [401, 403],
  'role:operator': [401, 403],
  'role:budget_office': [401, 403],
};

/**
 * Every documented route's error answers, complete: those of its access declaration, 400 where a request schema can
 * refuse, 429 where it is rate limited, 500 everywhere; all RFC 9457 problem details. Call before the routes.
 */
export function documentErrorAnswers(
  app: FastifyInstance,
  rateLimited: (method: string, url: string) => boolean,
): void {
  app.addHook('onRoute', (r) => {
    const schema = r.schema as { hide?: boolean; response?: Record<string, unknown> } & Record<string, unknown>;
    if (!schema?.response || schema.hide) return;
    const access = (r.config as { access?: Access } | undefined)?.access;
    const codes = [
      ...(access ? refusalsOf[access] : []),
      ...(['body', 'params', 'querystring', 'headers'].some((p) => schema[p]) ? [400] : []),
      ...([r.method].flat().some((m) => rateLimited(m, r.url)) ? [429] : []),
      500,
    ];
    const response = { ...schema.response };
    for (const c of codes) response[c] ??= { $ref: 'Problem#' };
    r.schema = { ...schema, response };
  });
}

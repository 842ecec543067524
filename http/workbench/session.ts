import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StaffActor } from '../../workflows/contracts/task.js';
import { HttpProblem } from '../problem.js';
import type { StaffSession } from './login.js';
import type { WorkbenchSessionStore } from './session-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffSession;
  }
}

/** The signed cookie with the session id (the session itself lives server-side), and the one that carries a login from the provider's redirect back. */
export const SESSION_COOKIE = 'wb_session';
export const LOGIN_COOKIE = 'wb_login';

/**
 * The workbench's signed cookies and the address the browser reaches it at. With a public base URL (every deployment)
 * the login's redirect URI and the cookies' Secure flag come from it alone; only without one (development) from the
 * request, whose Host header the caller chooses.
 */
export class WorkbenchCookies {
  private readonly publicBaseUrl?: string;

  constructor(publicBaseUrl?: string) {
    this.publicBaseUrl = publicBaseUrl?.replace(/\/+$/, '');
  }

  /** Whether every cookie is Secure whatever the request says: the public address is https. */
  get alwaysSecure(): boolean {
    return this.publicBaseUrl?.startsWith('https:') ?? false;
  }

  /** Where the provider sends the browser back after login. */
  redirectUri(req: FastifyRequest): string {
    return `${this.baseUrl(req)}/workbench/callback`;
  }

  options(req: FastifyRequest): CookieSerializeOptions & { signed: true } {
    const secure = this.baseUrl(req).startsWith('https:');
    return { path: '/workbench', httpOnly: true, sameSite: 'lax', secure, signed: true };
  }

  /** A signed cookie's value as it was written, or undefined when it is missing, forged or unreadable. */
  read<T>(req: FastifyRequest, name: string): T | undefined {
    const raw = req.cookies[name];
    const v = raw ? req.unsignCookie(raw) : undefined;
    if (!v?.valid || !v.value) return undefined;
    try {
      return JSON.parse(Buffer.from(v.value, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }

  encode(v: object): string {
    return Buffer.from(JSON.stringify(v)).toString('base64url');
  }

  private baseUrl(req: FastifyRequest): string {
    return this.publicBaseUrl ?? `${req.protocol}://${req.host}`;
  }
}

const isPublic = (url: string) =>
  url === '/workbench/login' || url === '/workbench/callback' || url.startsWith('/workbench/assets/');

/** What the session cookie holds: the id of a server-side session, never the person. */
export interface SessionCookie {
  sid: string;
}

/**
 * The session comes from the server-side store by the signed cookie's id, and stands in for a bearer token; a page
 * without one sends the browser to log in, a form sent without one is refused.
 */
export function installSession(app: FastifyInstance, cookies: WorkbenchCookies, sessions: WorkbenchSessionStore): void {
  app.decorateRequest('staff', undefined);
  app.addHook('onRequest', async (req, reply) => {
    const sid = cookies.read<SessionCookie>(req, SESSION_COOKIE)?.sid;
    const s = typeof sid === 'string' ? await sessions.use(sid) : undefined;
    if (s && s.exp * 1000 > Date.now()) {
      req.staff = s;
      req.principal ??= { role: s.role, subject: s.id, authorityId: s.authorityId };
    }
    if (req.staff || isPublic(req.routeOptions.url ?? '')) return;
    if (req.method === 'GET') return reply.redirect(`/workbench/login?returnTo=${encodeURIComponent(req.url)}`, 303);
    throw new HttpProblem(401, 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.', {
      title: 'Nicht angemeldet',
      next: { href: '/workbench/login', label: 'Anmelden' },
    });
  });
}

/** The logged-in case worker as the task actions name them. */
export const actorOf = (s: StaffSession): StaffActor => ({ id: s.id, role: s.role, authorityId: s.authorityId });

import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../problem.js';
import { LoginFailedError, type OidcLogin, type PendingLogin, type StaffSession } from './login.js';
import type { WorkbenchPages } from './pages.js';
import { LOGIN_COOKIE, SESSION_COOKIE, type SessionCookie, type WorkbenchCookies } from './session.js';
import type { WorkbenchSessionStore } from './session-store.js';
import { loggedOutPage } from './views.js';

// Only paths of the workbench itself: the login never sends a browser elsewhere.
const returnPath = /^\/workbench\/[\w\-/?=&%.]*$/;

/** Login at the authority's OpenID Connect provider, the way back with the session cookie, and logout. */
export function loginRoutes(
  app: FastifyInstance,
  d: {
    login: OidcLogin;
    cookies: WorkbenchCookies;
    pages: WorkbenchPages;
    sessions: WorkbenchSessionStore;
    /** Keeps the identity provider's claims (name, role) in the staff directory. */
    onLogin?: (s: StaffSession) => Promise<void>;
  },
): void {
  const { login, cookies, pages, sessions } = d;

  app.get<{ Querystring: { returnTo?: string } }>('/workbench/login', pages.route, async (req, reply) => {
    const returnTo = returnPath.test(req.query.returnTo ?? '') ? req.query.returnTo! : '/workbench/inbox';
    const { url, pending } = await login.start(cookies.redirectUri(req), returnTo);
    void reply.setCookie(LOGIN_COOKIE, cookies.encode(pending), { ...cookies.options(req), maxAge: 600 });
    return reply.redirect(url, 303);
  });

  app.get<{ Querystring: { code?: string; state?: string; error?: string } }>(
    '/workbench/callback',
    pages.route,
    async (req, reply) => {
      const pending = cookies.read<PendingLogin>(req, LOGIN_COOKIE);
      void reply.clearCookie(LOGIN_COOKIE, { path: '/workbench' });
      const session = await login.finish(req.query, pending, cookies.redirectUri(req)).catch((err: unknown) => {
        if (!(err instanceof LoginFailedError)) throw err;
        throw new HttpProblem(400, err.message, {
          title: 'Anmeldung fehlgeschlagen',
          next: { href: '/workbench/login', label: 'Erneut anmelden' },
        });
      });
      const sid: SessionCookie = { sid: await sessions.open(session) };
      await d.onLogin?.(session);
      void reply.setCookie(SESSION_COOKIE, cookies.encode(sid), {
        ...cookies.options(req),
        maxAge: session.exp - Math.floor(Date.now() / 1000),
      });
      return reply.redirect(pending!.returnTo, 303);
    },
  );

  app.post('/workbench/logout', { ...pages.route, preHandler: app.csrfProtection }, async (req, reply) => {
    const sid = cookies.read<SessionCookie>(req, SESSION_COOKIE)?.sid;
    // Revoked on the server: a copy of the cookie kept elsewhere logs nobody in.
    if (typeof sid === 'string') await sessions.revoke(sid);
    void reply.clearCookie(SESSION_COOKIE, { path: '/workbench' }).clearCookie('wb_csrf', { path: '/workbench' });
    req.staff = undefined;
    return pages.send(reply, loggedOutPage());
  });
}

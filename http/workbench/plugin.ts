import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { DocumentStore } from '../../adapters/document-store.js';
import type { Postbox } from '../../adapters/postbox.js';
import type { TaskClient } from '../../client/task-client.js';
import type { CorrectionClient } from '../../client/correction-client.js';
import { correctionFormRoutes } from './correction-routes.js';
import type { Database } from '../../db/client.js';
import { BlindIndex, DEV_SEARCH_INDEX_SECRET } from '../../platform/blind-index.js';
import { recordStaffLogin } from '../../db/queries/staff-directory.js';
import type { CaseFiles } from './case-file.js';
import { casePageRoutes } from './case-page-routes.js';
import { inboxRoutes } from './inbox-routes.js';
import { OidcLogin, type LoginOptions } from './login.js';
import { loginRoutes } from './login-routes.js';
import { notesAndLettersRoutes } from './notes-letters-routes.js';
import { objectionPageRoutes } from './objection-page-routes.js';
import { WorkbenchPages } from './pages.js';
import { installSession, WorkbenchCookies } from './session.js';
import { WorkbenchSessionStore } from './session-store.js';

const DEFAULT_IDLE_MS = 30 * 60 * 1000;
import { taskActionRoutes } from './task-action-routes.js';

export interface WorkbenchOptions {
  files: CaseFiles;
  tasks: TaskClient;
  db: Database;
  /** Letters to the applicant (documents and postbox); without a postbox they are previewed, not sent. */
  letters?: { documents: DocumentStore; postbox?: Postbox };
  login: LoginOptions;
  /** Signs the session and login cookies; at least 32 characters. */
  sessionSecret: string;
  /** A session ends after this long without a request (WORKBENCH_SESSION_IDLE_MINUTES). */
  sessionIdleMs?: number;
  /**
   * The engine's public address: the login's redirect URI and the cookies' Secure flag come from it. Only in
   * development may it be absent; then they come from the request's Host header and scheme.
   */
  publicBaseUrl?: string;
  /** The blind index the search text is hashed with (the key intake used); absent: the demo's development secret. */
  searchIndex?: BlindIndex;
  /** Rücknahme and Widerruf from the case page; without it the page shows them and offers no forms. */
  corrections?: CorrectionClient;
}

/**
 * The case workers' workbench (Arbeitsplatz): server-rendered pages under /workbench, login through the authority's
 * OpenID Connect provider, a signed session cookie, CSRF tokens on every form. Every action is the task update the API
 * uses. Its refusals are pages, rendered by the API's error handler through `WorkbenchPages`.
 */
export const workbench: FastifyPluginAsync<WorkbenchOptions> = async (app, o) => {
  if (o.sessionSecret.length < 32) throw new Error('the workbench session secret must have at least 32 characters');
  const cookies = new WorkbenchCookies(o.publicBaseUrl);
  const pages = new WorkbenchPages(cookies);

  await app.register(cookie, { secret: o.sessionSecret });
  await app.register(formbody);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'wb_csrf',
    cookieOpts: { path: '/workbench', httpOnly: true, sameSite: 'lax', signed: true, secure: cookies.alwaysSecure },
    csrfOpts: { userInfo: true, hmacKey: o.sessionSecret },
    getUserInfo: (req) => req.staff?.id ?? '',
  });
  strictHeaders(app);
  const sessions = new WorkbenchSessionStore(o.db, o.sessionIdleMs ?? DEFAULT_IDLE_MS);
  installSession(app, cookies, sessions);

  assetRoutes(app, pages);
  loginRoutes(app, {
    login: new OidcLogin(o.login),
    cookies,
    pages,
    sessions,
    onLogin: (s) =>
      recordStaffLogin(o.db, { authorityId: s.authorityId, staffId: s.id, displayName: s.name, role: s.role }),
  });
  inboxRoutes(app, {
    tasks: o.tasks,
    pages,
    db: o.db,
    searchIndex: o.searchIndex ?? new BlindIndex(DEV_SEARCH_INDEX_SECRET),
  });
  casePageRoutes(app, { files: o.files, db: o.db, pages });
  taskActionRoutes(app, { files: o.files, db: o.db, tasks: o.tasks, pages });
  notesAndLettersRoutes(app, { files: o.files, db: o.db, tasks: o.tasks, pages, ...o.letters });
  objectionPageRoutes(app, { files: o.files, db: o.db, pages });
  if (o.corrections) correctionFormRoutes(app, { files: o.files, db: o.db, pages, corrections: o.corrections });
};

/** Strict headers on every workbench response: no inline code, no framing, nothing cached. */
function strictHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    // A document shown inside the case page (an upload's image or PDF, `inline`) may be embedded by the workbench's
    // own pages, and runs nothing; every page may embed only the workbench's own documents (`object-src 'self'`).
    const embedded = String(reply.getHeader('content-disposition') ?? '').startsWith('inline');
    void reply
      .header(
        'content-security-policy',
        embedded
          ? "default-src 'none'; img-src 'self'; frame-ancestors 'self'; base-uri 'none'"
          : "default-src 'none'; style-src 'self'; img-src 'self'; object-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store');
    return payload;
  });
}

const css = readFileSync(new URL('./assets/workbench.css', import.meta.url));

/** The stylesheet (no inline styles under the CSP) and the workbench's front door, which is the inbox. */
function assetRoutes(app: FastifyInstance, pages: WorkbenchPages): void {
  for (const root of ['/workbench', '/workbench/'])
    app.get(root, pages.route, async (_req, reply) => reply.redirect('/workbench/inbox', 303));
  app.get('/workbench/assets/workbench.css', pages.route, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').send(css),
  );
}

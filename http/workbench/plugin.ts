import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CommandRefusedError, type TaskClient } from '../../client/task-client.js';
import type { StaffActor, TaskAction } from '../../workflows/contracts/task.js';
import { listTasksOfCase } from '../../db/queries/tasks.js';
import type { Database } from '../../db/client.js';
import { listServices } from '../../services/catalogue.js';
import { CASE_FILE_PANELS, type CaseFiles } from './case-file.js';
import { refusalInGerman, taskStateLabel } from './format.js';
import { html } from './html.js';
import { completeManualDelivery, DELIVERY_CHANNELS, type DeliveryChannel } from './manual-tasks.js';
import { inboxFilters, inboxQuery, INBOX_PAGE_SIZE, searchable } from './inbox.js';
import { LoginFailedError, OidcLogin, type LoginOptions, type PendingLogin, type StaffSession } from './login.js';
import {
  casePage,
  inboxPage,
  loggedOutPage,
  messagePage,
  type CasePageData,
  type InboxRow,
  type PageContext,
} from './views.js';

export interface WorkbenchOptions {
  files: CaseFiles;
  tasks: TaskClient;
  db: Database;
  login: LoginOptions;
  /** Signs the session and login cookies; at least 32 characters. */
  sessionSecret: string;
  /** The engine's public address (for the login's redirect URI); taken from the request when absent. */
  publicUrl?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffSession;
  }
}

const SESSION = 'wb_session';
const PENDING = 'wb_login';
const css = readFileSync(new URL('./assets/workbench.css', import.meta.url));
const caseIdPattern = /^[0-9a-f-]{36}$/;
const isPublic = (url: string) =>
  url === '/workbench/login' || url === '/workbench/callback' || url.startsWith('/workbench/assets/');
const refusalStatus = { forbidden: 403, conflict: 409, invalid: 422 } as const;
// The central access check reads bearer tokens only; pages carry a session cookie instead, which this plugin's
// onRequest hook demands (no session: login), and every query is scoped to the session's authority.
const SESSION_GUARDED = { access: 'public' } as const;

/**
 * The case workers' workbench (Arbeitsplatz): server-rendered pages under /workbench, login through the authority's
 * OpenID Connect provider, a signed session cookie, CSRF tokens on every form. Every action is the task update the API uses.
 */
export const workbench: FastifyPluginAsync<WorkbenchOptions> = async (app, o) => {
  if (o.sessionSecret.length < 32) throw new Error('the workbench session secret must have at least 32 characters');
  const login = new OidcLogin(o.login);
  const baseUrl = (req: FastifyRequest) => o.publicUrl ?? `${req.protocol}://${req.host}`;
  const secure = (req: FastifyRequest) => baseUrl(req).startsWith('https:');
  const cookieOpts = (req: FastifyRequest) => ({
    path: '/workbench',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: secure(req),
    signed: true,
  });

  await app.register(cookie, { secret: o.sessionSecret });
  await app.register(formbody);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'wb_csrf',
    cookieOpts: { path: '/workbench', httpOnly: true, sameSite: 'lax', signed: true },
    csrfOpts: { userInfo: true, hmacKey: o.sessionSecret },
    getUserInfo: (req) => req.staff?.id ?? '',
  });
  app.decorateRequest('staff', undefined);

  const readCookie = <T>(req: FastifyRequest, name: string): T | undefined => {
    const raw = req.cookies[name];
    const v = raw ? req.unsignCookie(raw) : undefined;
    if (!v?.valid || !v.value) return undefined;
    try {
      return JSON.parse(Buffer.from(v.value, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  };
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

  // Strict headers on every workbench response: no inline code, no framing, nothing cached.
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    void reply
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store');
    return payload;
  });

  // The session comes from the signed cookie; a page without one sends the browser to log in.
  app.addHook('onRequest', async (req, reply) => {
    const s = readCookie<StaffSession>(req, SESSION);
    if (s && s.exp * 1000 > Date.now()) {
      req.staff = s;
      req.principal ??= { role: s.role, subject: s.id, authorityId: s.authorityId };
    }
    if (req.staff || isPublic(req.routeOptions.url ?? '')) return;
    if (req.method === 'GET') return reply.redirect(`/workbench/login?returnTo=${encodeURIComponent(req.url)}`, 303);
    return reply
      .status(401)
      .type('text/html; charset=utf-8')
      .send(
        messagePage({}, 'Nicht angemeldet', 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.', {
          href: '/workbench/login',
          label: 'Anmelden',
        }),
      );
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'workbench request failed');
    const text =
      status === 403
        ? 'Das Formular ist abgelaufen (Schutz vor Fremdzugriff). Bitte laden Sie die Seite neu.'
        : status < 500
          ? 'Die Anfrage ist ungültig.'
          : 'Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.';
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(messagePage(ctx(req, reply), 'Fehler', text, { href: '/workbench/inbox', label: 'Zu den Aufgaben' }));
  });

  const ctx = (req: FastifyRequest, reply: FastifyReply): PageContext => ({
    session: req.staff,
    csrf: req.staff ? reply.generateCsrf({ ...cookieOpts(req), userInfo: req.staff.id }) : undefined,
  });
  const page = (reply: FastifyReply, body: string, status = 200) =>
    reply.status(status).type('text/html; charset=utf-8').send(body);
  const hidden = { schema: { hide: true } };

  for (const root of ['/workbench', '/workbench/'])
    app.get(root, { ...hidden, config: { access: 'public' } }, async (_req, reply) =>
      reply.redirect('/workbench/inbox', 303),
    );
  app.get('/workbench/assets/workbench.css', { ...hidden, config: { access: 'public' } }, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').send(css),
  );

  app.get<{ Querystring: { returnTo?: string } }>(
    '/workbench/login',
    { ...hidden, config: { access: 'public' } },
    async (req, reply) => {
      const returnTo = /^\/workbench\/[\w\-/?=&%.]*$/.test(req.query.returnTo ?? '')
        ? req.query.returnTo!
        : '/workbench/inbox';
      const { url, pending } = await login.start(`${baseUrl(req)}/workbench/callback`, returnTo);
      void reply.setCookie(PENDING, encode(pending), { ...cookieOpts(req), maxAge: 600 });
      return reply.redirect(url, 303);
    },
  );

  app.get<{ Querystring: { code?: string; state?: string; error?: string } }>(
    '/workbench/callback',
    { ...hidden, config: { access: 'public' } },
    async (req, reply) => {
      const pending = readCookie<PendingLogin>(req, PENDING);
      void reply.clearCookie(PENDING, { path: '/workbench' });
      try {
        const session = await login.finish(req.query, pending, `${baseUrl(req)}/workbench/callback`);
        void reply.setCookie(SESSION, encode(session), {
          ...cookieOpts(req),
          maxAge: session.exp - Math.floor(Date.now() / 1000),
        });
        return reply.redirect(pending!.returnTo, 303);
      } catch (err) {
        if (!(err instanceof LoginFailedError)) throw err;
        return page(
          reply,
          messagePage({}, 'Anmeldung fehlgeschlagen', err.message, {
            href: '/workbench/login',
            label: 'Erneut anmelden',
          }),
          400,
        );
      }
    },
  );

  app.post(
    '/workbench/logout',
    { ...hidden, config: { access: 'public' }, preHandler: app.csrfProtection },
    async (req, reply) => {
      void reply.clearCookie(SESSION, { path: '/workbench' }).clearCookie('wb_csrf', { path: '/workbench' });
      req.staff = undefined;
      return page(reply, loggedOutPage());
    },
  );

  app.get<{ Querystring: Record<string, string> }>(
    '/workbench/inbox',
    { ...hidden, config: SESSION_GUARDED },
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const filters = inboxFilters(req.query);
      const services = listServices()
        .filter((s) => Object.hasOwn(s.authorities, actor.authorityId))
        .map((s) => ({ key: s.key, name: s.name }));
      const found = searchable(filters.q) ? await o.tasks.inbox(inboxQuery(actor, filters)) : { items: [], total: 0 };
      const notice = req.query['reassigned']
        ? html`<div role="status" class="notice"><p>${req.query['reassigned']} Aufgabe(n) neu zugewiesen.</p></div>`
        : undefined;
      const error = searchable(filters.q)
        ? undefined
        : 'Ein Aktenzeichen besteht aus Ziffern, Buchstaben a–f und Bindestrichen.';
      return page(
        reply,
        inboxPage(ctx(req, reply), {
          filters,
          rows: found.items as InboxRow[],
          total: found.total,
          pageSize: INBOX_PAGE_SIZE,
          services,
          notice,
          error,
          now: Date.now(),
        }),
      );
    },
  );

  app.post<{ Body: { taskIds?: string | string[]; assignee?: string; reason?: string } }>(
    '/workbench/tasks/reassign',
    { ...hidden, config: SESSION_GUARDED, preHandler: app.csrfProtection },
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      if (actor.role !== 'supervisor')
        return page(
          reply,
          messagePage(ctx(req, reply), 'Nicht erlaubt', 'Nur die Aufsicht kann mehrere Aufgaben neu zuweisen.'),
          403,
        );
      const ids = [req.body.taskIds ?? []].flat().slice(0, INBOX_PAGE_SIZE);
      const assignee = req.body.assignee?.trim() ?? '';
      const reason = req.body.reason?.trim() ?? '';
      if (!ids.length || !assignee || !reason) {
        return page(
          reply,
          messagePage(
            ctx(req, reply),
            'Eingabe unvollständig',
            'Bitte wählen Sie Aufgaben aus und nennen Sie neue Bearbeitung und Grund.',
            { href: '/workbench/inbox', label: 'Zurück zu den Aufgaben' },
          ),
          422,
        );
      }
      const failed: string[] = [];
      for (const taskId of ids) {
        const task = await o.tasks.find(taskId);
        if (!task || task.authorityId !== actor.authorityId) {
          failed.push(`${taskId}: nicht gefunden`);
          continue;
        }
        await o.tasks
          .act(task.caseId, { action: 'reassign', taskId, actor, assignee, reason })
          .catch((err: unknown) => {
            if (!(err instanceof CommandRefusedError)) throw err;
            failed.push(`${task.caseId.slice(0, 8)}: ${refusalInGerman(err.message)}`);
          });
      }
      if (failed.length) {
        return page(
          reply,
          messagePage(
            ctx(req, reply),
            'Nicht alle Aufgaben neu zugewiesen',
            `${ids.length - failed.length} von ${ids.length} neu zugewiesen. ${failed.join(' ')}`,
            { href: '/workbench/inbox', label: 'Zurück zu den Aufgaben' },
          ),
          409,
        );
      }
      return reply.redirect(`/workbench/inbox?reassigned=${ids.length}`, 303);
    },
  );

  const caseData = async (
    actor: StaffActor,
    caseId: string,
  ): Promise<Omit<CasePageData, 'notice' | 'error' | 'form'> | undefined> => {
    const row = caseIdPattern.test(caseId) ? await o.files.caseFor(actor, caseId) : undefined;
    if (!row) return undefined;
    const [panels, tasks] = await Promise.all([
      Promise.all(CASE_FILE_PANELS.map((p) => o.files.panel(p, row))),
      listTasksOfCase(o.db, { caseId }),
    ]);
    const byName = Object.fromEntries(CASE_FILE_PANELS.map((p, i) => [p, panels[i]!])) as Record<
      (typeof CASE_FILE_PANELS)[number],
      Record<string, unknown>
    >;
    return {
      caseId,
      ...byName,
      tasks: tasks.map((t) => ({
        ...t,
        dueAt: t.dueAt.toISOString(),
        escalatedAt: t.escalatedAt?.toISOString() ?? null,
      })),
    };
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    page(
      reply,
      messagePage(
        ctx(req, reply),
        'Akte nicht gefunden',
        'Diese Akte gibt es nicht, oder sie gehört nicht zu Ihrer Behörde.',
        { href: '/workbench/inbox', label: 'Zu den Aufgaben' },
      ),
      404,
    );

  const done: Record<string, string> = {
    claim: 'Sie haben die Aufgabe übernommen.',
    unclaim: 'Sie haben die Aufgabe zurückgegeben.',
    reassign: 'Die Aufgabe ist neu zugewiesen.',
    ask: 'Die Rückfrage ist gesendet.',
    decide: 'Die Entscheidung ist gespeichert.',
    delivered: 'Die Zustellung ist als erledigt gemeldet.',
  };

  app.get<{ Params: { caseId: string }; Querystring: { done?: string } }>(
    '/workbench/cases/:caseId',
    { ...hidden, config: SESSION_GUARDED },
    async (req, reply) => {
      const data = await caseData(actorOf(req.staff!), req.params.caseId);
      if (!data) return notFound(req, reply);
      return page(reply, casePage(ctx(req, reply), { ...data, notice: done[req.query.done ?? ''] }));
    },
  );

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/actions',
    { ...hidden, config: SESSION_GUARDED, preHandler: app.csrfProtection },
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const b = req.body ?? {};
      const caseId = req.params.caseId;
      const data = await caseData(actor, caseId);
      if (!data) return notFound(req, reply);
      const task = await o.tasks.find(String(b['taskId'] ?? ''));
      if (!task || task.caseId !== caseId) return notFound(req, reply);
      const form = Object.fromEntries(
        Object.entries(b)
          .filter(([k]) => k !== '_csrf')
          .map(([k, v]) => [k, String(v)]),
      );
      const again = (status: number, error: CasePageData['error']) =>
        page(reply, casePage(ctx(req, reply), { ...data, error, form }), status);

      const action = toAction(b, task.taskId, actor);
      if (typeof action === 'string') return again(422, { message: action });
      try {
        await o.tasks.act(caseId, action);
      } catch (err) {
        if (!(err instanceof CommandRefusedError)) throw err;
        // Someone else may have acted since this page was loaded: say who and what, keep what the user typed.
        const now = await o.tasks.find(task.taskId);
        const live = data.overview['task'] as { version?: number } | null;
        const stale =
          live?.version !== undefined && String(live.version) !== b['version']
            ? `Seit Sie die Seite geöffnet haben, hat sich die Aufgabe geändert: jetzt ${taskStateLabel[now?.state ?? ''] ?? now?.state}${now?.assignee ? `, bearbeitet von ${now.assignee}` : ''}${now?.completedBy ? `, erledigt von ${now.completedBy}` : ''}.`
            : undefined;
        return again(refusalStatus[err.type], { message: refusalInGerman(err.message), stale, detail: err.message });
      }
      return reply.redirect(`/workbench/cases/${caseId}?done=${b['action']}`, 303);
    },
  );

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/manual-delivery',
    { ...hidden, config: SESSION_GUARDED, preHandler: app.csrfProtection },
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const b = req.body ?? {};
      const data = await caseData(actor, req.params.caseId);
      const task = data?.tasks.find((t) => t.taskId === b['taskId']);
      if (!data || !task) return notFound(req, reply);
      const form = { channel: String(b['channel'] ?? ''), note: String(b['note'] ?? '') };
      const channel = b['channel'] as DeliveryChannel;
      if (!Object.hasOwn(DELIVERY_CHANNELS, channel))
        return page(
          reply,
          casePage(ctx(req, reply), { ...data, form, error: { message: 'Bitte wählen Sie, wie zugestellt wurde.' } }),
          422,
        );
      const r = await completeManualDelivery(o.db, actor, {
        taskId: task.taskId,
        channel,
        note: form.note.trim().slice(0, 2000),
      });
      if (!r.ok) {
        const now = await o.tasks.find(task.taskId);
        const message =
          r.status === 409
            ? `Die Zustellung hat inzwischen ${now?.completedBy ?? 'jemand anderes'} als erledigt gemeldet.`
            : 'Die Aufgabe gibt es nicht.';
        return page(
          reply,
          casePage(ctx(req, reply), { ...data, form, error: { message, detail: r.message } }),
          r.status,
        );
      }
      return reply.redirect(`/workbench/cases/${req.params.caseId}?done=delivered`, 303);
    },
  );

  app.get<{ Params: { caseId: string; sha256: string } }>(
    '/workbench/cases/:caseId/documents/:sha256',
    { ...hidden, config: SESSION_GUARDED },
    async (req, reply) => {
      const row = caseIdPattern.test(req.params.caseId)
        ? await o.files.caseFor(actorOf(req.staff!), req.params.caseId)
        : undefined;
      const doc =
        row && /^[0-9a-f]{64}$/.test(req.params.sha256) ? await o.files.document(row, req.params.sha256) : undefined;
      if (!doc) return notFound(req, reply);
      return reply
        .type(doc.mediaType)
        .header('content-disposition', `attachment; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"`)
        .send(doc.bytes);
    },
  );
};

const actorOf = (s: StaffSession): StaffActor => ({ id: s.id, role: s.role, authorityId: s.authorityId });

/** The form's task action, or what is missing in German. */
function toAction(b: Record<string, string>, taskId: string, actor: StaffActor): TaskAction | string {
  const text = (k: string, max: number) => (typeof b[k] === 'string' ? b[k]!.trim().slice(0, max) : '');
  switch (b['action']) {
    case 'claim':
      return { action: 'claim', taskId, actor };
    case 'unclaim':
      return { action: 'unclaim', taskId, actor, reason: text('reason', 2000) || undefined };
    case 'reassign':
      if (!text('assignee', 128) || !text('reason', 2000))
        return 'Bitte nennen Sie die neue Bearbeitung und einen Grund.';
      return { action: 'reassign', taskId, actor, assignee: text('assignee', 128), reason: text('reason', 2000) };
    case 'ask':
      if (!text('text', 5000)) return 'Bitte schreiben Sie Ihre Rückfrage.';
      return {
        action: 'ask',
        taskId,
        actor,
        kind: b['kind'] === 'document' ? 'document' : 'question',
        text: text('text', 5000),
      };
    case 'decide':
      if (b['outcome'] !== 'approve' && b['outcome'] !== 'reject')
        return 'Bitte wählen Sie „Bewilligen“ oder „Ablehnen“.';
      if (!text('justification', 5000)) return 'Bitte begründen Sie die Entscheidung.';
      return { action: 'complete', taskId, actor, outcome: b['outcome'], justification: text('justification', 5000) };
    default:
      return 'Unbekannte Aktion.';
  }
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, problemTitles } from '../problem.js';
import type { WorkbenchCookies } from './session.js';
import { messagePage, type PageContext } from './views.js';

export const toInbox = { href: '/workbench/inbox', label: 'Zu den Aufgaben' };
export const backToInbox = { href: '/workbench/inbox', label: 'Zurück zu den Aufgaben' };

/** The case does not exist for this case worker: unknown, or another authority's. */
export const caseNotFound = (): HttpProblem =>
  new HttpProblem(404, 'Diese Akte gibt es nicht, oder sie gehört nicht zu Ihrer Behörde.', {
    title: 'Akte nicht gefunden',
    next: toInbox,
  });

/** How the workbench answers with pages: every page route's options, its page context and its error page. */
export class WorkbenchPages {
  constructor(private readonly cookies: WorkbenchCookies) {}

  /** Who is logged in, and a fresh CSRF token for the page's forms. */
  context(req: FastifyRequest, reply: FastifyReply): PageContext {
    return {
      session: req.staff,
      csrf: req.staff ? reply.generateCsrf({ ...this.cookies.options(req), userInfo: req.staff.id }) : undefined,
    };
  }

  send(reply: FastifyReply, body: string, status = 200): FastifyReply {
    return reply.status(status).type('text/html; charset=utf-8').send(body);
  }

  /**
   * A problem as a page. A problem the workbench wrote for a page carries its own German title and is shown as it is;
   * any other (a plugin's refusal, the bearer check's, a failure) is shown by its status only.
   */
  readonly problemPage = (problem: HttpProblem, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { status } = problem;
    const own = problem.title !== problemTitles[status];
    const text =
      status === 403
        ? 'Das Formular ist abgelaufen (Schutz vor Fremdzugriff). Bitte laden Sie die Seite neu.'
        : status < 500
          ? 'Die Anfrage ist ungültig.'
          : 'Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.';
    const page = own
      ? messagePage(this.context(req, reply), problem.title, problem.detail, problem.next)
      : messagePage(this.context(req, reply), 'Fehler', text, toInbox);
    return this.send(reply, page, status);
  };

  /**
   * Options of every workbench route. The central access check reads bearer tokens only; pages carry a session cookie
   * instead, which the session hook demands (no session: login), and every query is scoped to the session's authority.
   */
  readonly route = {
    schema: { hide: true },
    config: { access: 'public', problemPage: this.problemPage },
  } as const;
}

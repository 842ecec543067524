import type { FastifyInstance } from 'fastify';
import { CommandRefusedError, type TaskClient } from '../../client/task-client.js';
import type { StaffActor } from '../../workflows/contracts/task.js';
import { listServices } from '../../services/catalogue.js';
import { HttpProblem } from '../problem.js';
import { refusalInGerman } from './format.js';
import { html } from './html.js';
import { inboxFilters, inboxQuery, INBOX_PAGE_SIZE } from './inbox.js';
import type { BlindIndex } from '../../platform/blind-index.js';
import { backToInbox, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';
import { inboxPage, type InboxRow } from './views.js';

/** The inbox of the case worker's authority, filtered and paged, and the supervisor's reassignment of several tasks. */
export function inboxRoutes(
  app: FastifyInstance,
  d: { tasks: TaskClient; pages: WorkbenchPages; searchIndex: BlindIndex },
): void {
  const { tasks, pages, searchIndex } = d;

  app.get<{ Querystring: Record<string, string> }>('/workbench/inbox', pages.route, async (req, reply) => {
    const actor = actorOf(req.staff!);
    const filters = inboxFilters(req.query);
    const services = listServices()
      .filter((s) => Object.hasOwn(s.authorities, actor.authorityId))
      .map((s) => ({ key: s.key, name: s.name }));
    const found = await tasks.inbox(inboxQuery(actor, filters, new Date(), searchIndex));
    const notice = req.query['reassigned']
      ? html`<div role="status" class="notice"><p>${req.query['reassigned']} Aufgabe(n) neu zugewiesen.</p></div>`
      : undefined;
    const rows = found.items as InboxRow[];
    const page = { filters, rows, total: found.total, pageSize: INBOX_PAGE_SIZE, services, notice };
    return pages.send(reply, inboxPage(pages.context(req, reply), { ...page, now: Date.now() }));
  });

  app.post<{ Body: { taskIds?: string | string[]; assignee?: string; reason?: string } }>(
    '/workbench/tasks/reassign',
    { ...pages.route, preHandler: app.csrfProtection },
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      if (actor.role !== 'supervisor')
        throw new HttpProblem(403, 'Nur die Aufsicht kann mehrere Aufgaben neu zuweisen.', { title: 'Nicht erlaubt' });
      const ids = [req.body.taskIds ?? []].flat().slice(0, INBOX_PAGE_SIZE);
      const assignee = req.body.assignee?.trim() ?? '';
      const reason = req.body.reason?.trim() ?? '';
      if (!ids.length || !assignee || !reason) {
        throw new HttpProblem(422, 'Bitte wählen Sie Aufgaben aus und nennen Sie neue Bearbeitung und Grund.', {
          title: 'Eingabe unvollständig',
          next: backToInbox,
        });
      }
      const failed = await reassignAll(tasks, actor, ids, { assignee, reason });
      if (failed.length) {
        const detail = `${ids.length - failed.length} von ${ids.length} neu zugewiesen. ${failed.join(' ')}`;
        throw new HttpProblem(409, detail, { title: 'Nicht alle Aufgaben neu zugewiesen', next: backToInbox });
      }
      return reply.redirect(`/workbench/inbox?reassigned=${ids.length}`, 303);
    },
  );
}

/** Reassigns each task of the actor's authority; what failed, one German line per task. */
async function reassignAll(
  tasks: TaskClient,
  actor: StaffActor,
  ids: string[],
  to: { assignee: string; reason: string },
): Promise<string[]> {
  const failed: string[] = [];
  for (const taskId of ids) {
    const task = await tasks.find(taskId);
    if (!task || task.authorityId !== actor.authorityId) {
      failed.push(`${taskId}: nicht gefunden`);
      continue;
    }
    await tasks.act(task.caseId, { action: 'reassign', taskId, actor, ...to }).catch((err: unknown) => {
      if (!(err instanceof CommandRefusedError)) throw err;
      failed.push(`${task.caseId.slice(0, 8)}: ${refusalInGerman(err.message)}`);
    });
  }
  return failed;
}

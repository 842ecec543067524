import type { FastifyInstance } from 'fastify';
import { CommandRefusedError, type TaskClient } from '../../client/task-client.js';
import type { StaffActor } from '../../workflows/contracts/task.js';
import { listServices } from '../../services/catalogue.js';
import { HttpProblem } from '../problem.js';
import { refusalInGerman } from './format.js';
import { html } from './html.js';
import { inboxFilters, inboxQuery, INBOX_PAGE_SIZE, SAVED_FILTERS } from './inbox.js';
import type { BlindIndex } from '../../platform/blind-index.js';
import type { Database } from '../../db/client.js';
import { absentColleaguesOf, listColleagues, recordStaffLogin, setAbsence } from '../../db/queries/staff-directory.js';

const absenceNotices: Record<string, string> = {
  set: 'Sie sind als abwesend gemeldet. Ihre Aufgaben erscheinen bei Ihrer Vertretung.',
  cleared: 'Sie sind wieder als anwesend gemeldet.',
};
import { backToInbox, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';
import { inboxPage, type InboxRow } from './views.js';

/** The inbox of the case worker's authority, filtered and paged, and the supervisor's reassignment of several tasks. */
export function inboxRoutes(
  app: FastifyInstance,
  d: { tasks: TaskClient; pages: WorkbenchPages; searchIndex: BlindIndex; db: Database },
): void {
  const { tasks, pages, searchIndex, db } = d;

  app.get<{ Querystring: Record<string, string> }>('/workbench/inbox', pages.route, async (req, reply) => {
    const actor = actorOf(req.staff!);
    const filters = inboxFilters(req.query);
    const services = listServices()
      .filter((s) => Object.hasOwn(s.authorities, actor.authorityId))
      .map((s) => ({ key: s.key, name: s.name }));
    const [staff, standsInFor] = await Promise.all([
      listColleagues(db, { authorityId: actor.authorityId }),
      absentColleaguesOf(db, { authorityId: actor.authorityId, substitute: actor.id }),
    ]);
    const query = inboxQuery(
      { ...actor, groups: req.staff!.groups },
      filters,
      new Date(),
      searchIndex,
      standsInFor.map((s) => s.staffId),
    );
    const found = await tasks.inbox(query);
    const message = req.query['reassigned']
      ? `${req.query['reassigned']} Aufgabe(n) neu zugewiesen.`
      : absenceNotices[req.query['absence'] ?? ''];
    const notice = message ? html`<div role="status" class="notice"><p>${message}</p></div>` : undefined;
    const rows = found.items as InboxRow[];
    const page = {
      filters,
      rows,
      total: found.total,
      pageSize: INBOX_PAGE_SIZE,
      services,
      notice,
      staff,
      standsInFor: standsInFor.map((s) => s.displayName),
      savedFilters: SAVED_FILTERS,
    };
    return pages.send(reply, inboxPage(pages.context(req, reply), { ...page, now: Date.now() }));
  });

  // Vertretung: she marks herself absent with a colleague of her authority as substitute, or present again.
  app.post<{ Body: { substitute?: string; present?: string } }>(
    '/workbench/absence',
    { ...pages.route, preHandler: app.csrfProtection },
    async (req, reply) => {
      const me = req.staff!;
      const substitute = req.body.present ? null : (req.body.substitute?.trim() ?? '');
      const colleagues = await listColleagues(db, { authorityId: me.authorityId });
      if (substitute !== null && (substitute === me.id || !colleagues.some((c) => c.staffId === substitute)))
        throw new HttpProblem(422, 'Bitte wählen Sie eine Kollegin oder einen Kollegen Ihrer Behörde als Vertretung.', {
          title: 'Eingabe unvollständig',
          next: backToInbox,
        });
      await recordStaffLogin(db, { authorityId: me.authorityId, staffId: me.id, displayName: me.name, role: me.role });
      await setAbsence(db, { authorityId: me.authorityId, staffId: me.id, substitute });
      return reply.redirect(`/workbench/inbox?absence=${substitute ? 'set' : 'cleared'}`, 303);
    },
  );

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

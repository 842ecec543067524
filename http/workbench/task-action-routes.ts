import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CommandRefusedError, type TaskClient } from '../../client/task-client.js';
import type { Database } from '../../db/client.js';
import type { StaffActor, TaskAction } from '../../workflows/contracts/task.js';
import type { CaseFiles } from './case-file.js';
import { caseData, type CaseData } from './case-page-routes.js';
import { refusalInGerman, taskStateLabel } from './format.js';
import { completeManualDelivery, DELIVERY_CHANNELS, type DeliveryChannel } from './manual-tasks.js';
import { caseNotFound, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';
import { casePage, type CasePageData } from './views.js';
import { HttpProblem } from '../problem.js';
import { clearFollowUp, setFollowUp } from '../../db/queries/task-follow-ups.js';
import { addDays, berlinDate } from '../../services/legal-time.js';

const refusalStatus = { forbidden: 403, conflict: 409, invalid: 422 } as const;

interface Deps {
  files: CaseFiles;
  db: Database;
  tasks: TaskClient;
  pages: WorkbenchPages;
}

/**
 * The case page's forms: every task action is the task update the API uses. A refused action shows the case page
 * again with the reason and what the user typed; a done one redirects to the case page with a notice.
 */
export function taskActionRoutes(app: FastifyInstance, d: Deps): void {
  const guarded = { ...d.pages.route, preHandler: app.csrfProtection };
  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/actions',
    guarded,
    async (req, reply) => taskAction(d, req, reply),
  );
  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/manual-delivery',
    guarded,
    async (req, reply) => manualDelivery(d, req, reply),
  );
  // Wiedervorlage: case workers and supervisors of the case's authority (the case page's roles) set or clear it.
  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/follow-up',
    guarded,
    async (req, reply) => followUp(d, req, reply),
  );
}

/** The furthest a Wiedervorlage may lie ahead. */
const FOLLOW_UP_MAX_DAYS = 2 * 366;

async function followUp(d: Deps, req: CaseForm, reply: FastifyReply) {
  const actor = actorOf(req.staff!);
  if (actor.role !== 'case_worker' && actor.role !== 'supervisor')
    throw new HttpProblem(403, 'Eine Wiedervorlage setzen Sachbearbeitung und Aufsicht.', { title: 'Nicht erlaubt' });
  const b = req.body ?? {};
  const caseId = req.params.caseId;
  const data = await caseData(d, actor, caseId);
  const task = data?.tasks.find((t) => t.taskId === b['taskId']);
  if (!data || !task) throw caseNotFound();
  if (b['clear']) {
    await clearFollowUp(d.db, { taskId: task.taskId, authorityId: actor.authorityId });
    return reply.redirect(`/workbench/cases/${caseId}?done=followup_cleared#notice`, 303);
  }
  const form = { followUpOn: String(b['followUpOn'] ?? ''), followUpNote: String(b['followUpNote'] ?? '') };
  const today = berlinDate(new Date());
  const on = form.followUpOn;
  const error = (message: string) => again(d, req, reply, data, 422, { form, error: { message } });
  if (task.state === 'completed' || task.state === 'cancelled')
    return error('Die Aufgabe ist abgeschlossen; eine Wiedervorlage ist nicht mehr möglich.');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(on) || Number.isNaN(Date.parse(`${on}T00:00:00Z`)))
    return error('Bitte geben Sie das Datum der Wiedervorlage an (TT.MM.JJJJ).');
  if (on < today) return error('Die Wiedervorlage kann nicht in der Vergangenheit liegen.');
  if (on > addDays(today, FOLLOW_UP_MAX_DAYS))
    return error('Die Wiedervorlage kann höchstens zwei Jahre in der Zukunft liegen.');
  await setFollowUp(d.db, {
    taskId: task.taskId,
    caseId,
    authorityId: actor.authorityId,
    followUpOn: on,
    note: form.followUpNote.trim().slice(0, 2000) || undefined,
    setBy: actor.id,
  });
  return reply.redirect(`/workbench/cases/${caseId}?done=followup#notice`, 303);
}

type CaseForm = FastifyRequest<{ Params: { caseId: string }; Body: Record<string, string> }>;

/** The case page again, with an error and the form as the user filled it. */
const again = (
  d: Deps,
  req: CaseForm,
  reply: FastifyReply,
  data: CaseData,
  status: number,
  more: Partial<CasePageData>,
) => d.pages.send(reply, casePage(d.pages.context(req, reply), { ...data, ...more }), status);

async function taskAction(d: Deps, req: CaseForm, reply: FastifyReply) {
  const actor = actorOf(req.staff!);
  const b = req.body ?? {};
  const caseId = req.params.caseId;
  const data = await caseData(d, actor, caseId);
  if (!data) throw caseNotFound();
  const task = await d.tasks.find(String(b['taskId'] ?? ''));
  if (!task || task.caseId !== caseId) throw caseNotFound();
  const form = Object.fromEntries(
    Object.entries(b)
      .filter(([k]) => k !== '_csrf')
      .map(([k, v]) => [k, String(v)]),
  );
  const action = toAction(b, task.taskId, actor, task.stage === 'second_approval');
  if (typeof action === 'string') return again(d, req, reply, data, 422, { form, error: { message: action } });
  try {
    await d.tasks.act(caseId, action);
  } catch (err) {
    if (!(err instanceof CommandRefusedError)) throw err;
    // Someone else may have acted since this page was loaded: say who and what, keep what the user typed.
    const stale = await staleNotice(d.tasks, data, task.taskId, b['version']);
    const error = { message: refusalInGerman(err.message), stale, detail: err.message };
    return again(d, req, reply, data, refusalStatus[err.type], { form, error });
  }
  return reply.redirect(`/workbench/cases/${caseId}?done=${b['action']}#notice`, 303);
}

/** What changed since the page was loaded (another version of the task than the form's), in German; else nothing. */
async function staleNotice(tasks: TaskClient, data: CaseData, taskId: string, formVersion: string | undefined) {
  const live = data.overview['task'] as { version?: number } | null;
  if (live?.version === undefined || String(live.version) === formVersion) return undefined;
  const now = await tasks.find(taskId);
  return `Seit Sie die Seite geöffnet haben, hat sich die Aufgabe geändert: jetzt ${taskStateLabel[now?.state ?? ''] ?? now?.state}${now?.assignee ? `, bearbeitet von ${now.assignee}` : ''}${now?.completedBy ? `, erledigt von ${now.completedBy}` : ''}.`;
}

async function manualDelivery(d: Deps, req: CaseForm, reply: FastifyReply) {
  const actor = actorOf(req.staff!);
  const b = req.body ?? {};
  const data = await caseData(d, actor, req.params.caseId);
  const task = data?.tasks.find((t) => t.taskId === b['taskId']);
  if (!data || !task) throw caseNotFound();
  const form = {
    channel: String(b['channel'] ?? ''),
    note: String(b['note'] ?? ''),
    deliveredOn: String(b['deliveredOn'] ?? ''),
  };
  const channel = b['channel'] as DeliveryChannel;
  if (!Object.hasOwn(DELIVERY_CHANNELS, channel))
    return again(d, req, reply, data, 422, { form, error: { message: 'Bitte wählen Sie, wie zugestellt wurde.' } });
  if (form.deliveredOn && !/^\d{4}-\d{2}-\d{2}$/.test(form.deliveredOn))
    return again(d, req, reply, data, 422, { form, error: { message: 'Bitte das Datum als TT.MM.JJJJ angeben.' } });
  const r = await completeManualDelivery(d.db, actor, {
    taskId: task.taskId,
    channel,
    note: form.note.trim().slice(0, 2000),
    ...(form.deliveredOn && { deliveredOn: form.deliveredOn }),
  });
  if (!r.ok) {
    const now = await d.tasks.find(task.taskId);
    const message =
      r.status === 409
        ? `Die Zustellung hat inzwischen ${now?.completedBy ?? 'jemand anderes'} als erledigt gemeldet.`
        : r.status === 403
          ? 'Eine Zustellung von Hand meldet die Sachbearbeitung.'
          : 'Die Aufgabe gibt es nicht.';
    return again(d, req, reply, data, r.status, { form, error: { message, detail: r.message } });
  }
  return reply.redirect(`/workbench/cases/${req.params.caseId}?done=delivered`, 303);
}

/** The form's task action, or what is missing in German. */
function toAction(b: Record<string, string>, taskId: string, actor: StaffActor, second: boolean): TaskAction | string {
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
      // The second look under four-eyes confirms the proposal's reasons; the first decision must give them.
      if (!second && !text('reasonsForApplicant', 5000))
        return 'Bitte schreiben Sie die Gründe, die der Bescheid nennt.';
      return {
        action: 'complete',
        taskId,
        actor,
        outcome: b['outcome'],
        justification: text('justification', 5000),
        ...(!second && { reasonsForApplicant: text('reasonsForApplicant', 5000) }),
      };
    case 'send_back':
      if (!text('sendBackNote', 5000)) return 'Bitte schreiben Sie einen Hinweis für die erste Sachbearbeitung.';
      return { action: 'send_back', taskId, actor, note: text('sendBackNote', 5000) };
    default:
      return 'Unbekannte Aktion.';
  }
}

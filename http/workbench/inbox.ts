import type { StaffActor, TaskState } from '../../workflows/contracts/task.js';
import type { ListTasksParams } from '../../db/queries/tasks.js';
import type { InboxFilters } from './views.js';

export const INBOX_PAGE_SIZE = 25;

const states: Record<string, TaskState[] | undefined> = {
  active: ['open', 'claimed'],
  open: ['open'],
  claimed: ['claimed'],
  completed: ['completed'],
  all: undefined,
};

/** The inbox filters from a query string, each reset to its default when it is not one of the offered values. */
export function inboxFilters(q: Record<string, string | undefined>): InboxFilters {
  const pick = (v: string | undefined, allowed: string[], d: string) =>
    v !== undefined && allowed.includes(v) ? v : d;
  const page = Number.parseInt(q['page'] ?? '1', 10);
  return {
    state: pick(q['state'], Object.keys(states), 'active'),
    service: /^[0-9a-z_-]{1,64}$/i.test(q['service'] ?? '') ? q['service']! : '',
    assignee: pick(q['assignee'], ['anyone', 'me', 'unassigned'], 'anyone'),
    due: pick(q['due'], ['', 'overdue', 'week'], ''),
    q: (q['q'] ?? '').trim().toLowerCase().slice(0, 36),
    page: Number.isInteger(page) && page > 0 && page < 100_000 ? page : 1,
  };
}

/** Whether the search text can be (the beginning of) a case id; anything else finds nothing, rather than failing. */
export const searchable = (q: string) => q === '' || /^[0-9a-f-]{1,36}$/.test(q);

/** The query for one page of the caller's authority's inbox; the authority comes from the session, never the page. */
export function inboxQuery(actor: StaffActor, f: InboxFilters, now = new Date()): ListTasksParams {
  const week = new Date(now.getTime() + 7 * 24 * 3600_000);
  return {
    authorityId: actor.authorityId,
    states: f.due === 'overdue' ? ['open', 'claimed'] : states[f.state],
    serviceKey: f.service || undefined,
    assignee: f.assignee === 'me' ? actor.id : undefined,
    unassigned: f.assignee === 'unassigned' || undefined,
    dueBefore: f.due === 'overdue' ? now : f.due === 'week' ? week : undefined,
    dueAfter: f.due === 'week' ? now : undefined,
    caseIdPrefix: f.q || undefined,
    limit: INBOX_PAGE_SIZE,
    offset: (f.page - 1) * INBOX_PAGE_SIZE,
  };
}

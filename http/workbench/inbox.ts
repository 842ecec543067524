import type { StaffActor, TaskState } from '../../workflows/contracts/task.js';
import type { ListTasksParams } from '../../db/queries/tasks.js';
import type { InboxFilters } from './views.js';
import { searchQueryVariants, type BlindIndex } from '../../platform/blind-index.js';
import { berlinDate } from '../../services/legal-time.js';

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
    followup: pick(q['followup'], ['', 'due'], ''),
    question: pick(q['question'], ['', 'open'], ''),
    sort: pick(q['sort'], ['due', 'received', 'followup'], 'due'),
    q: (q['q'] ?? '').trim().replace(/\s+/g, ' ').slice(0, 100),
    page: Number.isInteger(page) && page > 0 && page < 100_000 ? page : 1,
  };
}

/** Whether the search text can be (the beginning of) a case id, the technical id some systems still quote. */
const caseIdPrefix = (q: string) => (/^[0-9a-f-]{1,36}$/i.test(q) ? q.toLowerCase() : undefined);

/**
 * What the search text finds: the Aktenzeichen as printed, the beginning of a case id, or, through the blind index,
 * a name, birth date (31.12.1980 or 1980-12-31), licence plate, company or street. The text itself is only hashed.
 */
export function inboxSearch(authorityId: string, q: string, index: BlindIndex): ListTasksParams['search'] {
  if (!q) return undefined;
  const terms = searchQueryVariants(q)
    .map((v) => index.term(authorityId, v))
    .filter((t): t is string => t !== undefined);
  return { terms, aktenzeichen: q, caseIdPrefix: caseIdPrefix(q) };
}

/**
 * The saved filters offered as links above the inbox: each a query string of the inbox's own filters, so a case
 * worker can bookmark or share it.
 */
export const SAVED_FILTERS: Array<{ label: string; query: Record<string, string> }> = [
  { label: 'Meine', query: { assignee: 'me' } },
  { label: 'Wiedervorlage fällig', query: { followup: 'due', sort: 'followup' } },
  { label: 'Rückfrage offen', query: { question: 'open' } },
  { label: 'Überfällig', query: { due: 'overdue' } },
];

/**
 * The candidate groups whose tasks a case worker sees: those her login names (the `groups` claim), within her
 * authority, and always the tasks assigned to her or to the colleagues she stands in for. A supervisor, and anyone
 * whose identity provider names no groups, sees every group's tasks.
 */
export function groupScope(
  session: StaffActor & { groups?: string[] },
  standsInFor: string[],
): ListTasksParams['groups'] {
  if (session.role === 'supervisor' || !session.groups) return undefined;
  return {
    candidateGroups: session.groups.map((g) => `${session.authorityId}:${g}`),
    orAssignees: [session.id, ...standsInFor],
  };
}

/** The query for one page of the caller's authority's inbox; the authority comes from the session, never the page. */
export function inboxQuery(
  actor: StaffActor & { groups?: string[] },
  f: InboxFilters,
  now = new Date(),
  index?: BlindIndex,
  /** The absent colleagues she stands in for: their tasks are hers too under "ich". */
  standsInFor: string[] = [],
): ListTasksParams {
  const week = new Date(now.getTime() + 7 * 24 * 3600_000);
  return {
    authorityId: actor.authorityId,
    states: f.due === 'overdue' ? ['open', 'claimed'] : states[f.state],
    serviceKey: f.service || undefined,
    assignee: f.assignee === 'me' ? actor.id : undefined,
    decidedByAssignee: f.assignee === 'me' || undefined,
    alsoAssignees: f.assignee === 'me' && standsInFor.length ? standsInFor : undefined,
    unassigned: f.assignee === 'unassigned' || undefined,
    dueBefore: f.due === 'overdue' ? now : f.due === 'week' ? week : undefined,
    dueRestsWhileAsking: f.due === 'overdue' || undefined,
    groups: groupScope(actor, standsInFor),
    followUpDueOn: f.followup === 'due' ? berlinDate(now) : undefined,
    openQuestion: f.question === 'open' || undefined,
    sort: f.sort as ListTasksParams['sort'],
    dueAfter: f.due === 'week' ? now : undefined,
    search: index ? inboxSearch(actor.authorityId, f.q, index) : undefined,
    limit: INBOX_PAGE_SIZE,
    offset: (f.page - 1) * INBOX_PAGE_SIZE,
  };
}

import { and, asc, count, eq, gte, inArray, isNotNull, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { CaseWorkerDecision } from '../../workflows/contracts/case.js';
import type { TaskState, TaskView } from '../../workflows/contracts/task.js';
import type { DbExecutor } from '../client.js';
import { akteDocuments, akteSearchTerms, akten, taskFollowUps, tasks } from '../schema.js';
import { openValue, sealedAt } from '../akte-sealing.js';
import { openAkteDocumentRow } from './akte.js';
import { followUpsOf } from './task-follow-ups.js';

export interface SyncTaskParams {
  view: TaskView;
  completion?: CaseWorkerDecision;
}

/** Writes the workflow's view of the task; a write older than the row (a late retry) changes nothing. */
export async function syncTask(db: DbExecutor, { view: v, completion: c }: SyncTaskParams): Promise<void> {
  const row = {
    caseId: v.caseId,
    kind: v.kind,
    serviceKey: v.serviceKey,
    authorityId: v.authorityId,
    candidateGroup: v.candidateGroup,
    reason: v.reason,
    assignee: v.assignee ?? null,
    priority: v.priority,
    state: v.state,
    stage: v.stage,
    fourEyes: v.fourEyes,
    proposedBy: v.proposal?.by ?? null,
    proposedOutcome: v.proposal?.outcome ?? null,
    openQuestionId: v.openQuestion?.questionId ?? null,
    dueAt: new Date(v.dueAt),
    followUpAt: new Date(v.followUpAt),
    remindedAt: v.remindedAt ? new Date(v.remindedAt) : null,
    escalatedAt: v.escalatedAt ? new Date(v.escalatedAt) : null,
    version: v.version,
    updatedAt: new Date(),
    ...(c && {
      completedAt: new Date(),
      completedBy: c.caseWorker,
      confirmedBy: c.confirmedBy ?? null,
      outcome: c.outcome,
      justification: c.justification,
    }),
  };
  await db
    .insert(tasks)
    .values({ taskId: v.taskId, ...row })
    .onConflictDoUpdate({ target: tasks.taskId, set: row, setWhere: lt(tasks.version, sql`excluded.version`) });
}

export interface ListTasksParams {
  authorityId: string;
  state?: TaskState;
  serviceKey?: string;
  dueBefore?: Date;
  assignee?: string;
  /**
   * With `assignee`: also the completed tasks that person decided, though another became the assignee (under
   * four-eyes the second approver does): "erledigt" and "ich" is her own history of decisions.
   */
  decidedByAssignee?: boolean;
  /** With `assignee`: also the tasks of these colleagues (absent, with `assignee` as their substitute). */
  alsoAssignees?: string[];
  /** Workbench filters: several states, only unassigned tasks, due from a date, a case id (or its beginning). */
  states?: TaskState[];
  unassigned?: boolean;
  dueAfter?: Date;
  caseIdPrefix?: string;
  /**
   * The workbench's search: the cases whose blind-index terms (keyed hashes, platform/blind-index.ts) include one of
   * `terms`, whose Aktenzeichen is `aktenzeichen` (any case), or whose id begins with `caseIdPrefix`; any one matches.
   */
  search?: { terms: string[]; aktenzeichen?: string; caseIdPrefix?: string };
  /** Only the tasks of these cases (the demo's bot works its own batch, however full the inbox is). */
  caseIds?: string[];
  /**
   * Only the tasks of these candidate groups (`<authority>:<group>`, the groups she works in), and those assigned to
   * one of `orAssignees` (hers, and her absent colleagues') whatever their group.
   */
  groups?: { candidateGroups: string[]; orAssignees: string[] };
  /** Only the tasks whose Wiedervorlage is on or before this day (YYYY-MM-DD). */
  followUpDueOn?: string;
  /** Only the tasks with a question to the applicant open. */
  openQuestion?: boolean;
  /** While a question to the applicant is open the task's due date rests: `dueBefore` leaves such tasks out. */
  dueRestsWhileAsking?: boolean;
  /** `due` (earliest due first, the default), `received` (oldest first), `followup` (earliest Wiedervorlage first). */
  sort?: 'due' | 'received' | 'followup';
  limit: number;
  offset: number;
}

const taskColumns = {
  taskId: tasks.taskId,
  caseId: tasks.caseId,
  kind: tasks.kind,
  serviceKey: tasks.serviceKey,
  authorityId: tasks.authorityId,
  candidateGroup: tasks.candidateGroup,
  reason: tasks.reason,
  assignee: tasks.assignee,
  priority: tasks.priority,
  state: tasks.state,
  stage: tasks.stage,
  fourEyes: tasks.fourEyes,
  proposedBy: tasks.proposedBy,
  openQuestionId: tasks.openQuestionId,
  dueAt: tasks.dueAt,
  followUpAt: tasks.followUpAt,
  remindedAt: tasks.remindedAt,
  escalatedAt: tasks.escalatedAt,
  createdAt: tasks.createdAt,
  completedBy: tasks.completedBy,
  confirmedBy: tasks.confirmedBy,
  outcome: tasks.outcome,
};

/** The inbox of one authority, earliest due first, with the total for paging. */
export async function listTasks(db: DbExecutor, p: ListTasksParams) {
  const where: SQL[] = [eq(tasks.authorityId, p.authorityId)];
  if (p.state) where.push(eq(tasks.state, p.state));
  if (p.serviceKey) where.push(eq(tasks.serviceKey, p.serviceKey));
  if (p.dueBefore) where.push(lte(tasks.dueAt, p.dueBefore));
  if (p.dueBefore && p.dueRestsWhileAsking) where.push(isNull(tasks.openQuestionId));
  const assignees = p.assignee ? [p.assignee, ...(p.alsoAssignees ?? [])] : [];
  if (p.assignee && p.decidedByAssignee)
    where.push(
      or(
        inArray(tasks.assignee, assignees),
        and(
          eq(tasks.state, 'completed'),
          or(eq(tasks.completedBy, p.assignee), eq(tasks.confirmedBy, p.assignee), eq(tasks.proposedBy, p.assignee)),
        ),
      )!,
    );
  else if (p.assignee) where.push(inArray(tasks.assignee, assignees));
  if (p.states?.length) where.push(inArray(tasks.state, p.states));
  if (p.unassigned) where.push(isNull(tasks.assignee));
  if (p.dueAfter) where.push(gte(tasks.dueAt, p.dueAfter));
  if (p.caseIdPrefix) where.push(like(tasks.caseId, `${p.caseIdPrefix.replace(/[\\%_]/g, '\\$&')}%`));
  if (p.caseIds) where.push(inArray(tasks.caseId, p.caseIds));
  if (p.search) where.push(searchCondition(db, p.authorityId, p.search));
  if (p.groups)
    where.push(
      or(
        inArray(tasks.candidateGroup, p.groups.candidateGroups.length ? p.groups.candidateGroups : ['']),
        ...(p.groups.orAssignees.length ? [inArray(tasks.assignee, p.groups.orAssignees)] : []),
      )!,
    );
  if (p.openQuestion) where.push(isNotNull(tasks.openQuestionId));
  if (p.followUpDueOn)
    where.push(
      inArray(
        tasks.taskId,
        db
          .select({ taskId: taskFollowUps.taskId })
          .from(taskFollowUps)
          .where(and(eq(taskFollowUps.authorityId, p.authorityId), lte(taskFollowUps.followUpOn, p.followUpDueOn))),
      ),
    );
  const order =
    p.sort === 'received'
      ? [asc(tasks.createdAt), asc(tasks.taskId)]
      : p.sort === 'followup'
        ? [
            sql`(select f.follow_up_on from ${taskFollowUps} f where f.task_id = ${tasks.taskId}) asc nulls last`,
            asc(tasks.dueAt),
            asc(tasks.taskId),
          ]
        : [asc(tasks.dueAt), asc(tasks.taskId)];
  const [page, [total]] = await Promise.all([
    db
      .select(taskColumns)
      .from(tasks)
      .where(and(...where))
      .orderBy(...order)
      .limit(p.limit)
      .offset(p.offset),
    db
      .select({ n: count() })
      .from(tasks)
      .where(and(...where)),
  ]);
  // The page first, then who its cases are about: the Akte is read for the page's rows only, never for the rows
  // an offset skips.
  const caseIds = [...new Set(page.map((t) => t.caseId))];
  const [people, followUps] = await Promise.all([
    caseIds.length
      ? db
          .select({ caseId: akten.caseId, ...personColumns })
          .from(akten)
          .leftJoin(akteDocuments, eq(akteDocuments.documentId, sql`${akten.caseId} || ':antrag'`))
          .where(inArray(akten.caseId, caseIds))
          .then((rows) => Promise.all(rows.map(personOf)))
      : [],
    followUpsOf(db, { taskIds: page.map((t) => t.taskId) }),
  ]);
  const byCase = new Map(people.map(({ caseId, ...person }) => [caseId, person]));
  const none = { aktenzeichen: null, answered: false, applicantName: null, application: null };
  const items = page.map((t) => ({
    ...t,
    ...(byCase.get(t.caseId) ?? none),
    followUp: followUps.get(t.taskId) ?? null,
  }));
  return { items, total: total?.n ?? 0 };
}

/**
 * Who a task is about, from the case's Akte (never from Temporal): the Aktenzeichen, the name the identity provider
 * attested, and from the application the address, birth date, company and licence plate where the service asks them.
 */
const personColumns = {
  aktenzeichen: akten.aktenzeichen,
  /** The applicant has answered a question of this case (the Akte holds the answer). */
  answered: sql<boolean>`exists (select 1 from ${akteDocuments} a where a.case_id = ${akten.caseId} and a.kind = 'answer')`,
  // Sealed at rest (db/akte-sealing.ts): opened here, not picked apart in SQL.
  identity: akten.identity,
  antragId: akteDocuments.documentId,
  antrag: akteDocuments.content,
};

async function personOf(row: {
  caseId: string;
  aktenzeichen: string;
  answered: boolean;
  identity: unknown;
  antragId: string | null;
  antrag: unknown;
}) {
  const [identity, antrag] = await Promise.all([
    openValue(row.identity, sealedAt('akten.identity', row.caseId)),
    row.antragId ? openAkteDocumentRow({ documentId: row.antragId, content: row.antrag }) : undefined,
  ]);
  const id = identity as { name?: { givenName: string; familyName: string } } | null;
  const a = (antrag?.content ?? {}) as Record<string, any>;
  return {
    caseId: row.caseId,
    aktenzeichen: row.aktenzeichen,
    answered: row.answered,
    applicantName: id?.name ?? null,
    application: {
      address: a.address ?? null,
      business: a.business?.name ?? null,
      licensePlate: a.licensePlate ?? null,
      birthDate: a.birthDate ?? a.applicant?.birthDate ?? null,
    } as Record<string, unknown> | null,
  };
}

function searchCondition(db: DbExecutor, authorityId: string, s: NonNullable<ListTasksParams['search']>): SQL {
  const any: SQL[] = [];
  if (s.terms.length)
    any.push(
      inArray(
        tasks.caseId,
        db
          .select({ caseId: akteSearchTerms.caseId })
          .from(akteSearchTerms)
          .where(and(eq(akteSearchTerms.authorityId, authorityId), inArray(akteSearchTerms.term, s.terms))),
      ),
    );
  if (s.aktenzeichen)
    any.push(
      inArray(
        tasks.caseId,
        db
          .select({ caseId: akten.caseId })
          .from(akten)
          .where(
            and(
              eq(akten.authorityId, authorityId),
              // As printed (upper case) or as typed: both meet the unique index.
              inArray(akten.aktenzeichen, [...new Set([s.aktenzeichen, s.aktenzeichen.toUpperCase()])]),
            ),
          ),
      ),
    );
  if (s.caseIdPrefix) any.push(like(tasks.caseId, `${s.caseIdPrefix.replace(/[\\%_]/g, '\\$&')}%`));
  return any.length ? or(...any)! : sql`false`;
}

export async function findTask(db: DbExecutor, { taskId }: { taskId: string }) {
  const rows = await db.select(taskColumns).from(tasks).where(eq(tasks.taskId, taskId));
  return rows[0];
}

export async function listTasksOfCase(db: DbExecutor, { caseId }: { caseId: string }) {
  return db.select(taskColumns).from(tasks).where(eq(tasks.caseId, caseId)).orderBy(asc(tasks.createdAt));
}

export async function listOpenTasks(db: DbExecutor, { authorityId }: { authorityId: string }) {
  return (await listTasks(db, { authorityId, state: 'open', limit: 1000, offset: 0 })).items;
}

/** A task outside the workflow's wait takes the same fields as the workflow's own, plus its due date. */
export type CreateTaskParams = Pick<
  TaskView,
  'taskId' | 'caseId' | 'kind' | 'serviceKey' | 'authorityId' | 'candidateGroup' | 'reason'
> & { dueAt: Date };

/** A task no workflow waits on (e.g. delivering a document by hand): created once, worked outside the case's wait. */
export async function createTask(db: DbExecutor, p: CreateTaskParams): Promise<void> {
  await db
    .insert(tasks)
    .values({
      ...p,
      state: 'open',
      priority: 'high',
      stage: 'decision',
      fourEyes: false,
      followUpAt: p.dueAt,
      version: 1,
    })
    .onConflictDoNothing({ target: tasks.taskId });
}

export interface CompleteOutsideTaskParams {
  taskId: string;
  authorityId: string;
  kind: string;
  by: string;
  outcome: string;
  justification: string;
}

/** Completes a task no workflow waits on, once: the first person wins, anyone after finds it done (undefined). */
export async function completeOutsideTask(db: DbExecutor, p: CompleteOutsideTaskParams) {
  const [row] = await db
    .update(tasks)
    .set({
      state: 'completed',
      assignee: p.by,
      completedAt: new Date(),
      completedBy: p.by,
      outcome: p.outcome,
      justification: p.justification,
      version: sql`${tasks.version} + 1`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(tasks.taskId, p.taskId),
        eq(tasks.authorityId, p.authorityId),
        eq(tasks.kind, p.kind),
        inArray(tasks.state, ['open', 'claimed']),
      ),
    )
    .returning({ taskId: tasks.taskId });
  return row;
}

import { CASE_WORK } from './access.js';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TASK_STATES, type StaffActor, type TaskAction, type TaskState } from '../workflows/contracts/task.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import type { TaskClient } from '../client/task-client.js';
import { problemResponses } from './api-schemas.js';
import { bearerSecurity, requireStaff } from './http-auth.js';
import { HttpProblem } from './problem.js';

const taskParams = {
  type: 'object',
  required: ['taskId'],
  properties: { taskId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
// Justifications and questions end up in the Bescheid and in letters: only text its fonts can print.
const text = (max: number) =>
  ({ type: 'string', minLength: 1, maxLength: max, pattern: PRINTABLE_TEXT_PATTERN }) as const;

/** Each action's request body, and how it becomes a task action for the workflow. */
const actions = {
  claim: {
    summary: 'A case worker takes the task',
    body: { type: 'object', additionalProperties: false, properties: {} },
    toAction: () => ({ action: 'claim' }),
  },
  unclaim: {
    summary: 'A case worker gives the task back to the inbox',
    body: { type: 'object', additionalProperties: false, properties: { reason: text(2000) } },
    toAction: (b: { reason?: string }) => ({ action: 'unclaim', reason: b.reason }),
  },
  reassign: {
    summary: 'The task goes to another case worker, with a reason',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['assignee', 'reason'],
      properties: { assignee: text(128), reason: text(2000) },
    },
    toAction: (b: { assignee: string; reason: string }) => ({
      action: 'reassign',
      assignee: b.assignee,
      reason: b.reason,
    }),
  },
  complete: {
    summary:
      'A case worker decides: approve or reject, with an internal justification (a Vermerk) and the reasons the Bescheid prints',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['outcome', 'justification'],
      properties: {
        outcome: { type: 'string', enum: ['approve', 'reject'] },
        justification: text(5000),
        reasonsForApplicant: text(5000),
      },
    },
    toAction: (b: { outcome: 'approve' | 'reject'; justification: string; reasonsForApplicant?: string }) => ({
      action: 'complete',
      outcome: b.outcome,
      justification: b.justification,
      ...(b.reasonsForApplicant && { reasonsForApplicant: b.reasonsForApplicant }),
    }),
  },
  'send-back': {
    summary: 'Four-eyes: the second person sends the proposal back to the first case worker, with a note',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['note'],
      properties: { note: text(5000) },
    },
    toAction: (b: { note: string }) => ({ action: 'send_back', note: b.note }),
  },
  questions: {
    summary: 'A case worker asks the applicant a question or for a document',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: { kind: { type: 'string', enum: ['question', 'document'], default: 'question' }, text: text(5000) },
    },
    toAction: (b: { kind: 'question' | 'document'; text: string }) => ({ action: 'ask', kind: b.kind, text: b.text }),
  },
} as const;

interface InboxQuery {
  state?: TaskState;
  serviceKey?: string;
  dueBefore?: string;
  assignee?: string;
  limit: number;
  offset: number;
}

/** The case-worker inbox and the task actions; staff act only within their authority. */
export const taskRoutes: FastifyPluginAsync<{ tasks: TaskClient }> = async (app, { tasks }) => {
  /** The task if it belongs to the caller's authority; another authority's task does not exist for them. */
  const ownTask = async (req: FastifyRequest): Promise<{ actor: StaffActor; caseId: string }> => {
    const actor = requireStaff(req);
    const task = await tasks.find((req.params as { taskId: string }).taskId);
    if (!task || task.authorityId !== actor.authorityId) throw new HttpProblem(404, 'no such task');
    return { actor, caseId: task.caseId };
  };
  // Before the body is validated: to staff of another authority the task does not exist, whatever they send.
  app.addHook('preValidation', async (req) => {
    if ((req.params as { taskId?: string }).taskId !== undefined) await ownTask(req);
  });

  app.get<{ Querystring: InboxQuery }>(
    '/tasks',
    {
      config: { access: 'staff', roles: CASE_WORK },
      schema: {
        summary: "The inbox: the open tasks of the caller's authority, filtered and paged",
        security: bearerSecurity,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: [...TASK_STATES] },
            serviceKey: { type: 'string', maxLength: 64 },
            dueBefore: { type: 'string', format: 'date-time' },
            assignee: { type: 'string', maxLength: 128 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items', 'total', 'limit', 'offset'],
            properties: {
              items: { type: 'array', items: { $ref: 'InboxItem#' } },
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
            },
          },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (req) => {
      const actor = requireStaff(req);
      const q = req.query;
      const page = await tasks.inbox({
        ...q,
        authorityId: actor.authorityId,
        dueBefore: q.dueBefore ? new Date(q.dueBefore) : undefined,
      });
      return { ...page, limit: q.limit, offset: q.offset };
    },
  );

  app.get<{ Params: { taskId: string } }>(
    '/tasks/:taskId',
    {
      config: { access: 'staff', roles: CASE_WORK },
      schema: {
        summary: 'One task of the inbox',
        security: bearerSecurity,
        params: taskParams,
        response: { 200: { $ref: 'InboxItem#' }, ...problemResponses(401, 403, 404) },
      },
    },
    async (req) => {
      await ownTask(req);
      return tasks.find(req.params.taskId);
    },
  );

  for (const [name, a] of Object.entries(actions)) {
    app.post<{ Params: { taskId: string }; Body: Record<string, string> }>(
      `/tasks/:taskId/${name}`,
      {
        config: { access: 'staff', roles: CASE_WORK },
        schema: {
          summary: a.summary,
          security: bearerSecurity,
          params: taskParams,
          body: a.body,
          response: { 200: { $ref: 'TaskView#' }, ...problemResponses(400, 401, 403, 404, 409, 422) },
        },
      },
      async (req) => {
        const { actor, caseId } = await ownTask(req);
        const action = {
          ...(a.toAction as (b: Record<string, string>) => object)(req.body),
          taskId: req.params.taskId,
          actor,
        } as TaskAction;
        return tasks.act(caseId, action);
      },
    );
  }
};

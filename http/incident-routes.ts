import type { Client } from '@temporalio/client';
import type { FastifyContextConfig, FastifyPluginAsync } from 'fastify';
import { INCIDENT_ACTIONS, type IncidentAction, type IncidentResolution } from '../workflows/contracts/incidents.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { resolveIncidentUpdate } from '../workflows/contracts/messages.js';
import type { Database } from '../db/client.js';
import { findIncident, listOpenIncidents } from '../db/queries/incidents.js';
import { problemResponses } from './api-schemas.js';
import { bearerSecurity, requireStaff } from './http-auth.js';
import { HttpProblem } from './problem.js';

export interface IncidentRoutesOptions {
  db: Database;
  /** Hands the operator's resolution to the waiting case workflow. */
  resolve(caseId: string, r: IncidentResolution): Promise<void>;
}

export const resolveIncidentVia = (client: Client) => async (caseId: string, r: IncidentResolution) =>
  void (await client.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(resolveIncidentUpdate, { args: [r] }));

// Declared access (see the access convention): staff with the operator role, scoped to their authority below.
const operatorsOnly = { access: 'role:operator' } as FastifyContextConfig;

const incident = {
  type: 'object',
  required: ['incidentId', 'caseId', 'activity', 'type', 'message', 'hint', 'actions', 'openedAt'],
  properties: {
    incidentId: { type: 'string' },
    caseId: { type: 'string' },
    activity: { type: 'string' },
    type: { type: 'string' },
    message: { type: 'string' },
    hint: { type: 'string' },
    actions: { type: 'array', items: { type: 'string', enum: INCIDENT_ACTIONS } },
    openedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Operators' list of cases that need them, and the resolution of one incident; own authority only. */
export const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (app, o) => {
  const operator = (req: Parameters<typeof requireStaff>[0]) => {
    const actor = requireStaff(req);
    if (actor.role !== 'operator') throw new HttpProblem(403, 'only operators may do this');
    return actor;
  };

  app.get(
    '/operations/incidents',
    {
      config: operatorsOnly,
      schema: {
        summary: 'Open incidents: cases an operator must look at',
        security: bearerSecurity,
        response: {
          200: {
            type: 'object',
            required: ['incidents'],
            properties: { incidents: { type: 'array', items: incident } },
          },
          ...problemResponses(401, 403),
        },
      },
    },
    async (req) => {
      const actor = operator(req);
      const rows = await listOpenIncidents(o.db, { authorityId: actor.authorityId });
      return { incidents: rows.map((r) => ({ ...r, openedAt: r.openedAt.toISOString() })) };
    },
  );

  app.post<{ Params: { incidentId: string }; Body: { action: IncidentAction } }>(
    '/operations/incidents/:incidentId/resolve',
    {
      config: operatorsOnly,
      schema: {
        summary: 'An operator resolves an incident: retry, hand the case to a case worker, or close it',
        security: bearerSecurity,
        params: {
          type: 'object',
          required: ['incidentId'],
          properties: { incidentId: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: { action: { type: 'string', enum: INCIDENT_ACTIONS } },
        },
        response: {
          200: {
            type: 'object',
            required: ['incidentId', 'action'],
            properties: { incidentId: { type: 'string' }, action: { type: 'string' } },
          },
          ...problemResponses(401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const actor = operator(req);
      const found = await findIncident(o.db, { incidentId: req.params.incidentId });
      if (!found || found.authorityId !== actor.authorityId) throw new HttpProblem(404, 'no such incident');
      if (found.resolution) throw new HttpProblem(409, `incident already resolved (${found.resolution})`);
      await o
        .resolve(found.caseId, { incidentId: found.incidentId, action: req.body.action, by: actor.id })
        .catch((e: Error) => {
          throw new HttpProblem(409, e.message);
        });
      return { incidentId: found.incidentId, action: req.body.action };
    },
  );
};

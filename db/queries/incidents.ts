import { and, asc, eq, isNull } from 'drizzle-orm';
import type { IncidentAction, IncidentType } from '../../workflows/contracts/incidents.js';
import type { DbExecutor } from '../client.js';
import { cases, incidents } from '../schema.js';

export interface OpenIncidentParams {
  incidentId: string;
  caseId: string;
  activity: string;
  type: IncidentType;
  message: string;
  hint: string;
  actions: IncidentAction[];
}

/** Once per incident id: a retried activity keeps the first row. */
export async function openIncident(db: DbExecutor, p: OpenIncidentParams): Promise<void> {
  await db.insert(incidents).values(p).onConflictDoNothing({ target: incidents.incidentId });
}

export async function resolveIncident(
  db: DbExecutor,
  p: { incidentId: string; action: IncidentAction; by: string },
): Promise<void> {
  await db
    .update(incidents)
    .set({ resolution: p.action, resolvedBy: p.by, resolvedAt: new Date() })
    .where(and(eq(incidents.incidentId, p.incidentId), isNull(incidents.resolvedAt)));
}

/** Open incidents of cases of one authority, oldest first. */
export async function listOpenIncidents(db: DbExecutor, { authorityId }: { authorityId: string }) {
  return db
    .select({
      incidentId: incidents.incidentId,
      caseId: incidents.caseId,
      activity: incidents.activity,
      type: incidents.type,
      message: incidents.message,
      hint: incidents.hint,
      actions: incidents.actions,
      openedAt: incidents.openedAt,
    })
    .from(incidents)
    .innerJoin(cases, eq(cases.caseId, incidents.caseId))
    .where(and(eq(cases.authorityId, authorityId), isNull(incidents.resolvedAt)))
    .orderBy(asc(incidents.openedAt));
}

export async function findIncident(db: DbExecutor, { incidentId }: { incidentId: string }) {
  const [row] = await db
    .select({
      incidentId: incidents.incidentId,
      caseId: incidents.caseId,
      authorityId: cases.authorityId,
      resolution: incidents.resolution,
      resolvedBy: incidents.resolvedBy,
    })
    .from(incidents)
    .innerJoin(cases, eq(cases.caseId, incidents.caseId))
    .where(eq(incidents.incidentId, incidentId));
  return row;
}

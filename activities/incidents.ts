import type { IncidentRecord, IncidentResolution } from '../workflows/contracts/incidents.js';
import { openIncident, resolveIncident } from '../db/queries/incidents.js';
import type { ActivityDeps } from './deps.js';

/** The operator's list: one row per incident, written by the workflow that waits for its resolution. */
export function createIncidentActivities({ db }: ActivityDeps) {
  return {
    async recordIncident(i: IncidentRecord & { hint: string }): Promise<void> {
      await openIncident(db, i);
    },
    async resolveIncident(r: IncidentResolution): Promise<void> {
      await resolveIncident(db, r);
    },
  };
}

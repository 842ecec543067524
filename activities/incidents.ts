import { ApplicationFailure } from '@temporalio/common';
import type { IncidentRecord, IncidentResolution } from '../contracts/incidents.js';
import { openIncident, resolveIncident } from '../db/queries/incidents.js';
import { EventChainBrokenError } from '../db/event-chain.js';
import { UnknownRuleSetError } from '../rules/rule-set.js';
import { UnknownAuthorityError, UnknownServiceError } from '../services/catalogue.js';
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

/** Errors no retry can cure, as typed non-retryable failures (contracts/incidents.ts); others pass unchanged. */
export function asPermanentFailure(err: unknown): unknown {
  if (err instanceof UnknownServiceError) return ApplicationFailure.nonRetryable(err.message, 'UnknownService');
  if (err instanceof UnknownAuthorityError) return ApplicationFailure.nonRetryable(err.message, 'UnknownAuthority');
  if (err instanceof UnknownRuleSetError) return ApplicationFailure.nonRetryable(err.message, 'UnknownRuleSet');
  if (err instanceof EventChainBrokenError) return ApplicationFailure.nonRetryable(err.message, 'EventChainBroken');
  return err;
}

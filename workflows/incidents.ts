import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DecideInput } from '../activities/decision.js';
import type { Decision } from './contracts/case.js';
import {
  INCIDENT_TYPES,
  isIncidentType,
  type IncidentAction,
  type IncidentResolution,
  type IncidentType,
} from './contracts/incidents.js';
import { resolveIncidentUpdate } from './contracts/messages.js';
import { CaseIncidentKey } from './contracts/search-attributes.js';

const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/** What "hand to a case worker" means for an activity: a result that sends the case to a person instead. */
type Fallbacks<A> = {
  [K in keyof A]?: A[K] extends (...args: infer P) => Promise<infer R> ? (...args: P) => R : never;
};

interface Open {
  actions: IncidentAction[];
  resolution?: IncidentResolution;
}
// Keyed by run, so the state stays the workflow's own however the SDK shares module scope between runs.
const runs = new Map<string, { opened: number; waiting: Map<string, Open> }>();
const ofThisRun = () => {
  const { runId } = workflowInfo();
  if (!runs.has(runId)) runs.set(runId, { opened: 0, waiting: new Map() });
  return runs.get(runId)!;
};

/**
 * Wraps activity proxies: a permanent failure (workflows/contracts/incidents.ts) does not fail the case but marks it for an
 * operator (search attribute CaseIncident, a row in `incidents`) and waits for a resolution: retry, hand over, close.
 */
export function withIncidents<A extends object>(acts: A, fallbacks: Fallbacks<A> = {}): A {
  return new Proxy(acts, {
    get(target, name) {
      const call = Reflect.get(target, name) as unknown;
      if (typeof call !== 'function' || typeof name !== 'string') return call;
      return async (...args: unknown[]) => {
        for (;;) {
          try {
            return await call(...args);
          } catch (err) {
            const type = incidentTypeOf(err);
            if (!type || !patched('case-incidents')) throw err;
            const fallback = (fallbacks as Record<string, ((...a: unknown[]) => unknown) | undefined>)[name];
            const action = await holdForOperator(
              name,
              type,
              permanentFailureOf(err)?.message ?? type,
              fallback !== undefined,
            );
            if (action === 'retry') continue;
            if (action === 'hand_to_case_worker' && fallback) return fallback(...args);
            throw ApplicationFailure.nonRetryable(`closed by an operator after ${type} in ${name}`, 'ClosedByOperator');
          }
        }
      };
    },
  });
}

/** An activity's typed permanent failure; a local activity's arrives unwrapped, a remote one's inside an ActivityFailure. */
function permanentFailureOf(err: unknown): ApplicationFailure | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.nonRetryable ? failure : undefined;
}

function incidentTypeOf(err: unknown): IncidentType | undefined {
  const type = permanentFailureOf(err)?.type ?? undefined;
  return isIncidentType(type) ? type : undefined;
}

async function holdForOperator(
  activity: string,
  type: IncidentType,
  message: string,
  canHandOver: boolean,
): Promise<IncidentAction> {
  const caseId = workflowInfo().workflowId.replace(/^case:/, '');
  const run = ofThisRun();
  const { waiting } = run;
  const incidentId = `${caseId}:incident:${++run.opened}`;
  const actions: IncidentAction[] = canHandOver ? ['retry', 'hand_to_case_worker', 'close'] : ['retry', 'close'];
  const open: Open = { actions };
  waiting.set(incidentId, open);
  setHandler(resolveIncidentUpdate, (r) => ((waiting.get(r.incidentId)!.resolution = r), r), {
    validator: (r) => {
      const w = waiting.get(r.incidentId);
      if (!w || w.resolution) throw new Error(`no open incident ${r.incidentId}`);
      if (!w.actions.includes(r.action))
        throw new Error(`incident ${r.incidentId} offers ${w.actions.join(', ')}, not ${r.action}`);
    },
  });
  upsertSearchAttributes([{ key: CaseIncidentKey, value: type }]);
  await local.recordIncident({ incidentId, caseId, activity, type, message, actions, hint: INCIDENT_TYPES[type] });
  await condition(() => open.resolution !== undefined);
  waiting.delete(incidentId);
  if (![...waiting.values()].some((w) => !w.resolution))
    upsertSearchAttributes([{ key: CaseIncidentKey, value: null }]);
  await local.resolveIncident(open.resolution!);
  return open.resolution!.action;
}

/** "Hand to a case worker" for a decision the rules cannot make: an escalation, so a person decides. */
export function handToCaseWorker(i: DecideInput): Decision {
  const reason =
    'Die Regeln konnten nicht angewendet werden; ein Betriebsvorfall wurde an die Sachbearbeitung übergeben.';
  return {
    outcome: 'escalate',
    ruleSetVersion: i.ruleSetVersion,
    ruleSetHash: i.ruleSetSha256 ?? '',
    firedRules: [
      { ruleId: 'operator-handover', outcome: 'escalate', reason, legalBasis: '§ 24 VwVfG (Untersuchungsgrundsatz)' },
    ],
    facts: {},
    decidedBy: 'rules',
  };
}

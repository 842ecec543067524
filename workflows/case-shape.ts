import { patched } from '@temporalio/workflow';

/**
 * The case workflow's newest patch: status messages go out as local activities (one history event each instead of
 * six), and the Bescheid is rendered and sealed in one activity.
 */
export const LEAN_OUTBOUND_PATCH = 'local-status-messages-one-issue-step';

/** Where cases differ by the engine version they started on; decided once, at the start, so no case changes shape midway. */
export interface CaseShape {
  /** The case started with LEAN_OUTBOUND_PATCH, and so with every patch before it. */
  leanOutbound: boolean;
}

/** Call first thing in the case workflow. */
export function caseShapeAtStart(): CaseShape {
  return { leanOutbound: patched(LEAN_OUTBOUND_PATCH) };
}

/**
 * Whether this case has an older `patch`. A case from the newest patch on has them all without recording their
 * markers (each costs two history events: the marker and the TemporalChangeVersion search attribute); a case from
 * before it asks `patched` exactly as it always did, so its history replays unchanged.
 */
export function has(shape: CaseShape, patch: string): boolean {
  return shape.leanOutbound || patched(patch);
}

import { ACTOR_KEYS_GLOBAL, actorAssertionRefusal } from './contracts/actor-assertion.js';
import type { Refusal, TaskAction } from './contracts/task.js';

/**
 * The update validators' check that a case worker's action was signed by the API that authenticated the person. The
 * worker puts the trusted public keys in front of the workflow bundle (app/case-worker.ts); a bundle without them
 * trusts nobody. Validators do not run on replay, so old histories without assertions keep replaying.
 */
export function unassertedActor(a: TaskAction, caseId: string): Refusal | undefined {
  const keys = (globalThis as Record<string, unknown>)[ACTOR_KEYS_GLOBAL];
  return actorAssertionRefusal(a, caseId, Array.isArray(keys) ? (keys as string[]) : [], Date.now());
}

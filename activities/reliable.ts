import { Context } from '@temporalio/activity';
import { asUnhandleable } from './failures.js';

/** How often a running activity tells the server it is alive; the workflows' heartbeat timeout is a few times this. */
export const HEARTBEAT_EVERY_MS = 1_000;

/** The activity's context when run by a worker as a (non-local) activity; tests may call activities directly. */
function heartbeating(): Context | undefined {
  try {
    const ctx = Context.current();
    return ctx.info.isLocal ? undefined : ctx;
  } catch {
    return undefined;
  }
}

/**
 * Every activity of the set heartbeats while it runs, so a killed worker's work moves on after the heartbeat
 * timeout (seconds) instead of the start-to-close timeout, and throws permanent errors as typed non-retryable failures.
 */
export function reliably<A extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: A): A {
  return Object.fromEntries(
    Object.entries(acts).map(([name, run]) => [
      name,
      async (...args: never[]) => {
        const ctx = heartbeating();
        const beat = ctx && setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
        try {
          return await run(...args);
        } catch (err) {
          throw asUnhandleable(err);
        } finally {
          if (beat) clearInterval(beat);
        }
      },
    ]),
  ) as A;
}

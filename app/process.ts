import { ConfigError } from '../platform/config.js';
import { StartupError } from '../platform/startup-error.js';

/**
 * Runs a standalone process: starts it, stops it gracefully on SIGTERM/SIGINT (a second signal exits at once),
 * and prints a start-up failure as one readable message with exit status 1.
 */
export async function runProcess(
  name: string,
  start: () => Promise<{ stop(): Promise<void>; done?: Promise<void> }>,
): Promise<void> {
  let started: Awaited<ReturnType<typeof start>>;
  try {
    started = await start();
  } catch (err) {
    if (err instanceof StartupError) console.error(`✗ ${name}: ${err.message}\n  ${err.hint}`);
    else if (err instanceof ConfigError) console.error(`✗ ${name}: ${err.message}`);
    else console.error(err);
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`${name}: ${signal}, finishing in-flight work`);
    started.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A worker that stops by itself (fatal error) ends the process, so the orchestrator restarts it.
  started.done?.then(
    () => !stopping && process.exit(1),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

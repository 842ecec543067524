// One worker process of the chaos run and the kill test: the production worker (app/worker-process.ts's startWorker,
// the one composition root), configured by the launcher's environment, with the development registers and, for the
// kill test, the fault injection as its only overrides.
import { startWorker } from '../../app/worker-process.js';
import { engineRegisters } from '../../dev/engine.js';
import { loadConfig } from '../../platform/config.js';
import { killAfterEffect } from './kill-after-effect.js';

const config = loadConfig();
// Only the test of effects under kills sets these: the process SIGKILLs itself after a named activity's effect.
const killAfter = process.env['CHAOS_KILL_AFTER'];
const running = await startWorker(config, {
  registers: engineRegisters(config.registerBaseUrl!, config.registerTimeoutMs),
  ...(killAfter && {
    activityInterceptors: [killAfterEffect(new Set(killAfter.split(',')), process.env['CHAOS_KILL_MARKS']!)],
  }),
});
await running.done;

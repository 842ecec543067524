import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMsOf } from './worker-processes.js';

export interface StandInsProcess {
  urls: { registers: string; postbox: string; tsa: string; payments: string; forwarding: string };
  /** The stand-ins process's CPU so far (user + system), ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts bench/stand-ins-process.ts as a child process (same environment) and waits for its addresses. */
export async function startStandInsProcess(): Promise<StandInsProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=ozg-source', fileURLToPath(new URL('stand-ins-process.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'], env: process.env },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the stand-ins process ended');
    return JSON.parse(value as string);
  };
  const urls = await next();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    urls,
    cpuMs: () => cpuMsOf(child.pid!),
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}

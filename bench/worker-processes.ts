// Worker processes for the benchmarks: `worker.ts`, exactly what `npm run worker` runs, against the demo's stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../dev/free-port.js';

/** Starts `n` worker processes with `env` on top of this one's and waits until each answers `/readyz`. */
export async function startWorkers(n: number, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
        env: { ...process.env, ...env, WORKER_HEALTH_PORT: String(port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      for (;;) {
        if (child.exitCode !== null) throw new Error('a worker process exited during start-up');
        if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok) return child;
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
}

export async function stopWorkers(children: ChildProcess[]): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
}

/** A process's resident memory now and at its peak (Linux: VmRSS and VmHWM from /proc), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** A process's CPU time so far (user + system), in ms, from /proc/<pid>/stat. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

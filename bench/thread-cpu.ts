import { readdirSync, readFileSync } from 'node:fs';

/** CPU so far (user + system, ms) of each of this process's threads, summed by thread name (Linux: /proc/self/task). */
export function cpuByThread(): Map<string, number> {
  const out = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Node 20 names all its own threads `node` (the workflow sandbox's worker thread, GC, compiler, libuv pool): the
    // main JavaScript thread is the one whose id is the process's.
    const name = tid === String(process.pid) ? 'main' : comm === 'node' ? 'other node threads' : comm;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    out.set(name, (out.get(name) ?? 0) + ms);
  }
  return out;
}

/** The CPU each thread name used since `before` (threads that ended meanwhile are lost). */
export function cpuByThreadSince(before: Map<string, number>): Map<string, number> {
  const now = cpuByThread();
  return new Map([...now].map(([name, ms]) => [name, ms - (before.get(name) ?? 0)]));
}

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpuByThread } from './thread-cpu.js';

/** What a profile sample is counted as: the first frame from the top of its stack that one of these names. */
const KINDS: Array<[kind: ActivityKind, files: RegExp]> = [
  ['codec', /\/platform\/codec\//],
  ['render', /\/adapters\/documents\/bescheid-pdf|\/node_modules\/pdfkit\//],
  ['seal', /\/adapters\/(sealer|cms-|timestamp|seal-keys|documents\/(pdf-increment|seal-mark|tag-seal-mark))/],
  ['archive', /\/activities\/archive|\/adapters\/(archive-store|xdomea)/],
  ['records', /\/db\/|\/node_modules\/(postgres|drizzle-orm)\//],
];
export type ActivityKind = 'render' | 'seal' | 'archive' | 'records' | 'codec';

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}

/**
 * CPU of the engine process by activity kind while `run` runs: the process's CPU (user + system) split by V8's
 * sampling profiler (1 ms), each sample counted for the innermost engine frame on its stack that belongs to a kind
 * (pdfkit under the renderer is render, fontkit under the seal mark is seal); the rest of the main thread is `other`
 * (the SDK, HTTP, GC on the main thread), the process's other threads `off main`. Returns ms per kind.
 */
export async function cpuByActivityKind(
  run: () => Promise<unknown>,
): Promise<Record<ActivityKind | 'other' | 'off main', number>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  const cpu = process.cpuUsage();
  const threads = cpuByThread();
  const ran = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  const { profile } = (await session.post('Profiler.stop')) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  const used = process.cpuUsage(cpu);
  const mainMs = (cpuByThread().get('main') ?? Number.NaN) - (threads.get('main') ?? 0);
  session.disconnect();
  // BENCH_CPU_PROFILE=file.cpuprofile keeps the profile for Chrome DevTools or speedscope.
  const keep = process.env['BENCH_CPU_PROFILE'];
  if (keep) writeFileSync(keep, JSON.stringify(profile));
  if (ran) throw ran;
  const parent = new Map<number, ProfileNode>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const kindOf = new Map<number, ActivityKind | 'other'>();
  const classify = (node: ProfileNode): ActivityKind | 'other' => {
    const known = kindOf.get(node.id);
    if (known) return known;
    const own = KINDS.find(([, files]) => files.test(node.callFrame.url))?.[0];
    const up = parent.get(node.id);
    const kind = own ?? (up ? classify(up) : 'other');
    kindOf.set(node.id, kind);
    return kind;
  };
  const out = { render: 0, seal: 0, archive: 0, records: 0, codec: 0, other: 0 };
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    // Idle samples are no CPU.
    if (node.callFrame.functionName === '(idle)') return;
    out[classify(node)] += profile.timeDeltas[i] ?? 0;
  });
  // Sample intervals are wall time (a busy machine stretches them): each kind gets its share of the CPU of the thread
  // the profiler samples, the main thread (where there is no /proc, of the whole process). The rest of the process
  // (the workflow sandbox's thread, GC and compiler threads, the SDK's core) is `off main`.
  const sampled = Object.values(out).reduce((a, b) => a + b, 0) || 1;
  const processMs = (used.user + used.system) / 1000;
  const cpuMs = Number.isFinite(mainMs) ? Math.min(mainMs, processMs) : processMs;
  for (const k of Object.keys(out) as Array<keyof typeof out>) out[k] = (out[k] / sampled) * cpuMs;
  return { ...out, 'off main': processMs - cpuMs };
}

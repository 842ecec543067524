// A burst of submissions: N applications from C concurrent clients, POST /cases over HTTP to a separately started
// API process (api.ts) with one worker process (worker.ts), as `npm run api` and `npm run worker` run them; the
// stand-ins run in their own process. Prints POST /cases latency, errors, and the time until every case started
// (its row in PostgreSQL) and closed (its workflow completed). Asserts nothing.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { inArray, count } from 'drizzle-orm';
import { cases as casesTable } from '../db/schema.js';
import { sampleApplications, sampleRegisterData } from '../dev/demo/sample-applications.js';
import { percentile } from '../dev/demo/stats.js';
import { startEngine } from '../dev/engine.js';
import { freePort } from '../dev/free-port.js';
import type { Config } from '../platform/config.js';
import { startStandInsProcess } from './stand-ins.js';
import { cpuMsOf, startWorkers, stopWorkers } from './worker-processes.js';

export async function burst(config: Config, o: { submissions: number; clients: number }): Promise<void> {
  const standIns = await startStandInsProcess();
  const engine = await startEngine(
    {
      ...config,
      registerBaseUrl: standIns.urls.registers,
      paymentProviderUrl: standIns.urls.payments,
      postboxUrl: standIns.urls.postbox,
      tsaUrl: standIns.urls.tsa,
      forwardingUrl: standIns.urls.forwarding,
    },
    { registerData: sampleRegisterData(), progress: (m) => console.log(`» ${m}`) },
  );
  // The API and worker processes use a task queue of their own: the in-process worker of the stack never takes a case.
  const env = {
    ...engine.processEnv,
    TASK_QUEUE: `burst-${randomUUID()}`,
    // One client address sends them all; the public rate limit is per address and would refuse most of the burst.
    RATE_LIMIT_PUBLIC_MAX: String(o.submissions * 2),
    METRICS_PORT: 'off',
    LOG_FILE: join(config.dataDir, 'logs', 'burst.log'),
  };
  const workers = await startWorkers(1, env);
  const port = await freePort();
  const api = spawn(process.execPath, ['--import', 'tsx', 'api.ts'], {
    env: { ...process.env, ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (api.exitCode !== null) throw new Error('the API process exited during start-up');
      if ((await fetch(`${url}/readyz`).catch(() => undefined))?.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const applications = sampleApplications(4 * o.submissions + 100, 7)
      .filter((a) => a.kind === 'resident')
      .slice(0, o.submissions);
    if (applications.length < o.submissions) throw new Error('not enough sample applicants');
    console.log(`» signing ${o.submissions} identity tokens (client side, before the burst)`);
    const bodies = await Promise.all(
      applications.map(async ({ submission: { identity, ...rest } }) => {
        const res = await fetch(`${engine.localIdp!.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(identity),
        });
        const identityToken = ((await res.json()) as { id_token: string }).id_token;
        const { serviceKey, authorityId, application, consent } = rest;
        return JSON.stringify({ serviceKey, authorityId, identityToken, application, consent });
      }),
    );
    console.log(`» ${o.submissions} submissions from ${o.clients} concurrent clients to ${url}`);
    const cpuBefore = { api: cpuMsOf(api.pid!), worker: cpuMsOf(workers[0]!.pid!) };
    const latencies: number[] = [];
    const statuses = new Map<string, number>();
    const caseIds: string[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: o.clients }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const t = performance.now();
          const res = await fetch(`${url}/cases`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body,
          }).catch(() => undefined);
          latencies.push(performance.now() - t);
          const status = res ? String(res.status) : 'no answer';
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (res?.status === 202) caseIds.push(((await res.json()) as { caseId: string }).caseId);
          else await res?.body?.cancel();
        }
      }),
    );
    const posted = performance.now();
    const rows = async () => {
      let n = 0;
      for (let i = 0; i < caseIds.length; i += 1000) {
        const [r] = await engine.db
          .select({ n: count() })
          .from(casesTable)
          .where(inArray(casesTable.caseId, caseIds.slice(i, i + 1000)));
        n += r?.n ?? 0;
      }
      return n;
    };
    const deadline = posted + 10 * 60_000;
    let withRow = await rows();
    while (withRow < caseIds.length && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      withRow = await rows();
    }
    const allStarted = performance.now();
    const outcomes = await Promise.all(
      caseIds.map((id) =>
        engine.cases.result(id).then(
          () => 'closed',
          () => 'failed',
        ),
      ),
    );
    const allClosed = performance.now();
    const cpu = { api: cpuMsOf(api.pid!) - cpuBefore.api, worker: cpuMsOf(workers[0]!.pid!) - cpuBefore.worker };
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const fiveHundreds = [...statuses].filter(([k]) => k.startsWith('5')).reduce((a, [, v]) => a + v, 0);
    console.log(
      `\nburst      ${o.submissions} submissions, ${o.clients} concurrent clients, one API and one worker process`,
    );
    console.log(
      `POST /cases p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (${s(posted - started)} for all)`,
    );
    console.log(
      `answers    ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}; 5xx ${fiveHundreds}; ${o.submissions - caseIds.length} not accepted`,
    );
    console.log(
      `started    ${withRow} of ${caseIds.length} accepted cases have their row after ${s(allStarted - started)} (${caseIds.length - withRow} lost)`,
    );
    console.log(
      `closed     every case closed after ${s(allClosed - started)}; ${outcomes.filter((x) => x === 'failed').length} failed`,
    );
    console.log(
      `CPU        API process ${(cpu.api / o.submissions).toFixed(1)} ms, worker process ${(cpu.worker / o.submissions).toFixed(1)} ms per submission`,
    );
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => (api.exitCode !== null ? r(null) : api.once('exit', r)));
    await stopWorkers(workers);
    await engine.stop();
    await standIns.stop();
  }
}

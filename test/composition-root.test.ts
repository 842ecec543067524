import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import Long from 'long';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../app/api.js';
import { RETENTION_SCHEDULE_ID } from '../client/retention-schedule.js';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import { type Engine, startEngine } from '../dev/engine.js';
import { freePort, withFreeDevPorts } from '../dev/free-port.js';
import { loadConfig } from '../platform/config.js';
import { testPayloadKeys } from './support/codec.js';
import { waitFor } from './support/wait.js';

// The demo (dev/engine.ts) and the production processes (api.ts, worker.ts, migrate.ts) are built by the same
// functions; these tests hold them to it, and the three settings that once drifted apart, against listening processes.

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dataDir = mkdtempSync(join(tmpdir(), 'ozg-composition-'));
// A namespace of its own: the retention schedule is one per namespace, and this test deletes it.
const namespace = `composition-${randomUUID().slice(0, 8)}`;
const taskQueue = `composition-${randomUUID()}`;
const children: ChildProcess[] = [];
let engine: Engine | undefined;
let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
  });
  // A new namespace becomes usable once the server's namespace cache has it.
  await waitFor(
    () =>
      connection.workflowService.describeNamespace({ namespace }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 30_000 },
  );
  const env: NodeJS.ProcessEnv = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: namespace,
    DATABASE_URL: inject('databaseUrl'),
    TASK_QUEUE: taskQueue,
    METRICS_PORT: 'off',
    FIT_CONNECT_SANDBOX: 'off',
    LOG_FILE: join(dataDir, 'engine.log'),
    PAYLOAD_KEYS: testPayloadKeys,
    RATE_LIMIT_PUBLIC_MAX: '3',
    // The run's bundle of the workflows (test/global-setup.ts) instead of a webpack run per engine and worker started.
    WORKFLOW_BUNDLE: inject('workflowBundlePath'),
  };
  engine = await startEngine(loadConfig(await withFreeDevPorts(env)), { registerData: sampleRegisterData() });
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await engine?.stop();
  await connection?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What a production deployment sets, pointed at this test's Temporal and PostgreSQL; outside systems are never called. */
const productionEnv = (e: Record<string, string>): Record<string, string> => ({
  ENGINE_PROFILE: 'production',
  TEMPORAL_ADDRESS: e['TEMPORAL_ADDRESS']!,
  TEMPORAL_NAMESPACE: namespace,
  TASK_QUEUE: `${taskQueue}-production`,
  DATABASE_URL: e['DATABASE_URL']!,
  DATA_DIR: dataDir,
  OIDC_ISSUER: 'https://id.example.de',
  AUTH_JWKS_URL: 'https://sso.example.de/jwks.json',
  AUTH_ISSUER: 'https://sso.example.de',
  PUBLIC_BASE_URL: 'https://amt.example',
  PAYMENT_PROVIDER_URL: 'https://epay.example.de',
  POSTBOX_URL: 'https://postfach.example.de',
  REGISTER_BASE_URL: 'https://register-gateway.example.de',
  PAYMENT_WEBHOOK_SECRET: 'whsec_cHJvZHVjdGlvbi1zZWNyZXQ=',
  SEAL_DIR: e['SEAL_DIR']!,
  SEAL_P12_PASSPHRASE: e['SEAL_P12_PASSPHRASE']!,
  SEAL_TRUST_ANCHORS: e['SEAL_TRUST_ANCHORS']!,
  PAYLOAD_KEYS: testPayloadKeys,
  WORKBENCH_SESSION_SECRET: 'production-session-secret-of-32-characters',
  WORKBENCH_OIDC_ISSUER: 'https://sso.example.de',
  AUTH_AUDIENCE: 'ozg-staff',
  ACTOR_SIGNING_KEY: '11'.repeat(32),
  SEARCH_INDEX_SECRET: 'production-search-index-secret-of-32-chars',
  METRICS_PORT: 'off',
  LOG_FILE: join(dataDir, 'production.log'),
});

const routes = (http: FastifyInstance) => http.printRoutes({ commonPrefix: false, includeHooks: true });
// The plugin tree with each plugin's load time left out.
const plugins = (http: FastifyInstance) => http.printPlugins().replace(/ \d+ ms$/gm, '');

/** `node --import tsx <entry>`: what `npm run api` / `npm run worker` run, as its own OS process. */
function spawnEntry(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  return { child, output };
}

async function listening(url: string, p: ReturnType<typeof spawnEntry>): Promise<void> {
  await waitFor(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`${url}: the process exited:\n${p.output.join('')}`);
      return (await fetch(`${url}/livez`).catch(() => undefined))?.ok;
    },
    { timeoutMs: 90_000 },
  );
}

/** Where a GET with this Host header redirects to (fetch cannot set Host). */
function redirectOf(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.headers.location ?? '');
    })
      .on('error', reject)
      .end();
  });
}

describe('one composition root for the demo and the production processes', () => {
  it('an API built from a production configuration serves exactly the demo’s routes, hooks and plugins', async () => {
    const api = await startApi(
      loadConfig({ ...productionEnv(engine!.processEnv), HTTP_PORT: String(await freePort()) }),
      { startupChecks: { plainTransportForTests: true } },
    );
    try {
      expect(routes(api.http)).toEqual(routes(engine!.http));
      expect(plugins(api.http)).toEqual(plugins(engine!.http));
    } finally {
      await api.stop();
    }
  });

  it('`npm run api` applies the configured public rate limit: the fourth request of three allowed answers 429', async () => {
    const port = await freePort();
    const api = spawnEntry('api.ts', { ...engine!.processEnv, HTTP_PORT: String(port), RATE_LIMIT_PUBLIC_MAX: '3' });
    const url = `http://127.0.0.1:${port}`;
    await listening(url, api);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${url}/services/search?q=Parkausweis`)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });

  it('`npm run api` builds the workbench login from PUBLIC_BASE_URL, never from the Host header', async () => {
    const port = await freePort();
    const api = spawnEntry('api.ts', {
      ...engine!.processEnv,
      HTTP_PORT: String(port),
      PUBLIC_BASE_URL: 'https://amt.example',
    });
    const url = `http://127.0.0.1:${port}`;
    await listening(url, api);
    const location = await redirectOf(`${url}/workbench/login`, 'evil.example');
    expect(location).toContain(encodeURIComponent('https://amt.example/workbench/callback'));
    expect(location).not.toContain('evil.example');
  });

  it('`npm run worker` creates the daily retention schedule, as the demo does', async () => {
    const client = new Client({ connection, namespace });
    await client.schedule.getHandle(RETENTION_SCHEDULE_ID).delete();
    const healthPort = await freePort();
    const worker = spawnEntry('worker.ts', {
      ...engine!.processEnv,
      TASK_QUEUE: `${taskQueue}-worker`,
      WORKER_HEALTH_PORT: String(healthPort),
    });
    await listening(`http://127.0.0.1:${healthPort}`, worker);
    const schedule = await waitFor(
      () =>
        client.schedule
          .getHandle(RETENTION_SCHEDULE_ID)
          .describe()
          .catch(() => undefined),
      { timeoutMs: 30_000 },
    );
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow' });
    expect(schedule.action.type === 'startWorkflow' && schedule.action.taskQueue).toBe(`${taskQueue}-worker`);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { freePort } from '../dev/free-port.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { sealIdentities } from '../app/production-profile.js';
import { CaseClient } from '../client/case-client.js';
import { connectDatabase } from '../db/client.js';
import { DEMO_SEAL_PASSPHRASE, DemoSealKeyStore } from '../dev/demo-seal-keys.js';
import { sampleApplications, sampleRegisterData } from '../dev/demo/sample-applications.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { startLocalIdentityProvider } from '../dev/identity/local-identity-provider.js';
import { startPaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { buildPostboxSandbox } from '../dev/stand-ins/postbox/server.js';
import { startForwardingSandbox } from '../dev/stand-ins/forwarding/server.js';
import { duplicatesInTables } from './chaos/effect-tables.js';
import { duplicateEffects, type Ledger, withLedger } from './chaos/stand-ins.js';
import { db } from './harness.js';
import { startRegisterSandbox } from '../dev/stand-ins/registers/server.js';
import { tokens, tokenAudience } from './http-helpers.js';
import { testDataConverter, testPayloadKeys } from './support/codec.js';
import { eventually } from './support/wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CASES = 24;

interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const procs: Proc[] = [];
const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  for (const s of stops.reverse()) await s().catch(() => {});
});

/** `node --import tsx <entry>` as its own OS process, exactly what `npm run api` / `npm run worker` run. */
function spawnEntry(entry: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const p = { child, output, exited };
  procs.push(p);
  return p;
}

async function ready(url: string, p: Proc): Promise<void> {
  await eventually(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`process exited early:\n${p.output.join('')}`);
      const res = await fetch(`${url}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    `${url}/readyz`,
    90_000,
  );
}

describe('separate API and worker processes against one Temporal and PostgreSQL', () => {
  it('run a batch through the API; a worker killed in the middle loses no case', { timeout: 300_000 }, async () => {
    const dataDir = inject('dataDir');
    const seals = join(dataDir, 'seal');
    const demoSeals = new DemoSealKeyStore(seals);
    await Promise.all(sealIdentities().map((id) => demoSeals.keyFor(id)));
    const registers = await startRegisterSandbox({
      data: sampleRegisterData(),
      port: 0,
      faults: { latencyMs: 0, errorRate: 0, timeoutRate: 0 },
    });
    stops.push(registers.stop);
    // The stand-ins count each effect per idempotency key and per case and purpose (test/chaos/stand-ins.ts).
    const ledgers: Record<string, Ledger> = {};
    const payments = await startPaymentSandbox({
      port: 0,
      webhookSecret: 'whsec_dGVzdA==',
      outcome: 'paid',
      delayMs: 0,
      webhooks: false,
      beforeListen: (app) => (ledgers['payments'] = withLedger(app)),
    });
    stops.push(payments.close);
    const postboxApp = buildPostboxSandbox();
    ledgers['postbox'] = withLedger(postboxApp);
    await postboxApp.listen({ host: '127.0.0.1', port: 0 });
    const postbox = { url: `http://127.0.0.1:${(postboxApp.server.address() as { port: number }).port}` };
    stops.push(() => postboxApp.close());
    const forwarding = await startForwardingSandbox({
      host: '127.0.0.1',
      port: 0,
      beforeListen: (app) => (ledgers['forwarding'] = withLedger(app)),
    });
    stops.push(forwarding.stop);
    const idp = await startLocalIdentityProvider({ host: '127.0.0.1', port: 0, audience: 'ozg-case-engine' });
    stops.push(idp.stop);
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'ozg-multi-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(tokens.jwks));

    const taskQueue = `multi-${randomUUID()}`;
    const httpPort = await freePort();
    const common = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: inject('databaseUrl'),
      TASK_QUEUE: taskQueue,
      DATA_DIR: dataDir,
      REGISTER_BASE_URL: registers.url,
      PAYMENT_PROVIDER_URL: payments.url,
      POSTBOX_URL: postbox.url,
      FORWARDING_URL: forwarding.url,
      BLOB_STORE: 'postgres',
      OIDC_ISSUER: idp.issuer,
      AUTH_JWKS_FILE: jwksFile,
      AUTH_ISSUER: tokenAudience.issuer,
      AUTH_AUDIENCE: tokenAudience.audience,
      PUBLIC_BASE_URL: `http://127.0.0.1:${httpPort}`,
      SEAL_DIR: seals,
      SEAL_P12_PASSPHRASE: DEMO_SEAL_PASSPHRASE,
      SEAL_TRUST_ANCHORS: join(seals, 'demo-ca.pem'),
      SHUTDOWN_GRACE_MS: '2000',
      PAYLOAD_KEYS: testPayloadKeys,
    };
    const api = spawnEntry('api.ts', { ...common, HTTP_PORT: String(httpPort) });
    const workerPorts = [await freePort(), await freePort()];
    // The first worker bundles its workflows at start-up; the second, which survives the kill and finishes every case,
    // runs a prebuilt bundle (WORKFLOW_BUNDLE), as the image's workers do.
    const workers = workerPorts.map((port, i) =>
      spawnEntry('worker.ts', {
        ...common,
        WORKER_HEALTH_PORT: String(port),
        ...(i === 1 && { WORKFLOW_BUNDLE: inject('workflowBundlePath') }),
      }),
    );
    const apiUrl = `http://127.0.0.1:${httpPort}`;
    await Promise.all([ready(apiUrl, api), ...workers.map((w, i) => ready(`http://127.0.0.1:${workerPorts[i]}`, w))]);
    expect(await (await fetch(`${apiUrl}/livez`)).json()).toEqual({ status: 'ok' });

    const connection = await Connection.connect({ address: inject('temporalAddress') });
    stops.push(() => connection.close());
    const database = connectDatabase(inject('databaseUrl'), { max: 2 });
    stops.push(() => database.close());
    const cases = new CaseClient(new Client({ connection, dataConverter: testDataConverter }), database.db, taskQueue);
    // Every sample service, so the production registers (HTTP only, no seeded records) answer each of them.
    const mix = [
      ...sampleApplications(6 * CASES, 7)
        .filter((a) => a.kind === 'resident')
        .slice(0, CASES - 6)
        .map((a) => ({ submission: a.submission, expected: 'approved' })),
      ...[0, 1].map((i) => ({ submission: lastenradApplication('eligible', i), expected: 'approved' })),
      ...[0, 1].map((i) => ({ submission: lastenradApplication('not_cargo_bike', i), expected: 'rejected' })),
      { submission: gewerbeApplication('retail', 0), expected: 'approved' },
      { submission: gewerbeApplication('prohibited', 0), expected: 'rejected' },
    ];
    expect(mix).toHaveLength(CASES);

    let closed = 0;
    let killed = false;
    const results = Promise.all(
      mix.map(async ({ submission: { identity, ...a }, expected }) => {
        const res = await fetch(`${apiUrl}/cases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            serviceKey: a.serviceKey,
            authorityId: a.authorityId,
            identityToken: await idp.issue(identity),
            application: a.application,
            consent: a.consent,
          }),
        });
        const body = (await res.json()) as { caseId?: string };
        expect(res.status, JSON.stringify(body)).toBe(202);
        const result = await cases.result(body.caseId!);
        closed++;
        return { caseId: body.caseId!, outcome: result.outcome, expected };
      }),
    );
    // Kill one worker without warning once some cases are done and the rest are in flight.
    await eventually(async () => (closed >= CASES / 4 ? true : undefined), 'a quarter of the cases closed', 120_000);
    workers[0]!.child.kill('SIGKILL');
    killed = true;
    expect(await workers[0]!.exited).toBe(null);

    const done = await results;
    expect(killed).toBe(true);
    expect(new Set(done.map((d) => d.caseId)).size).toBe(CASES);
    expect(done.map((d) => d.outcome)).toEqual(done.map((d) => d.expected));
    // Exactly once by business identity, although a worker died in the middle: at the stand-ins and in the tables.
    expect(duplicateEffects(ledgers)).toEqual([]);
    expect(await duplicatesInTables(db, new Set(done.map((d) => d.caseId)))).toEqual([]);
    // Every case's effects reached the stand-ins: a Bescheid and a status message per milestone, its money, its notices.
    const purposes = Object.values(ledgers).flatMap((l) => [...l.byPurpose.keys()]);
    for (const d of done) {
      expect(purposes.filter((p) => p.startsWith(`letter: ${d.caseId} `) && p.includes(': Bescheid zu'))).toHaveLength(
        1,
      );
      expect(purposes.filter((p) => p.startsWith(`status message: ${d.caseId} `)).length).toBeGreaterThanOrEqual(3);
    }
    expect(purposes.filter((p) => p.startsWith('pay-out:'))).toHaveLength(2);
    expect(purposes.filter((p) => p.startsWith('forwarding notice:')).length).toBeGreaterThan(0);

    // The surviving worker and the API stop gracefully on SIGTERM.
    workers[1]!.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    expect(await workers[1]!.exited).toBe(0);
    expect(await api.exited).toBe(0);
  });
});

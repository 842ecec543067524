import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { workflowsPath } from '../app/case-worker.js';
import { engineDataConverter, failureConverterPath } from '../codec/data-converter.js';
import { payloadKeyRing } from '../codec/keys.js';
import { sealIdentities } from '../app/production-profile.js';
import { sealKeyStore } from '../dev/demo-seal-keys.js';
import { sql } from 'drizzle-orm';
import { CaseClient } from '../client/case-client.js';
import { TaskClient } from '../client/task-client.js';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/client.js';
import { verifyEventChain } from '../db/event-chain.js';
import { migrateDatabase } from '../db/migrate.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { startDemoCaseWorker } from '../demo/case-worker-bot.js';
import { sampleRegisterData } from '../demo/sample-applications.js';
import { demoApplications, expectedDemoOutcome } from '../demo/sample-mix.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { startTemporalDevServer, type DevServer } from '../infra/temporal-dev-server.js';
import { buildPostboxSandbox } from '../sandbox/postbox/server.js';
import { startPaymentSandbox } from '../sandbox/payments/server.js';
import { buildRegisterSandbox } from '../sandbox/registers/server.js';
import { seededRandom } from '../sandbox/seeded-random.js';
import { duplicatesIn, total, withLedger, type Ledger } from './stand-ins.js';

/**
 * `npm run chaos`: a batch of cases across worker processes while workers are SIGKILLed, PostgreSQL and the Temporal
 * dev server restart and the stand-ins go down; then every case, effect and event chain is checked. Loopback only.
 */
const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '200' },
    workers: { type: 'string', default: '2' },
    kills: { type: 'string', default: '6' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'timeout-s': { type: 'string', default: '900' },
  },
});
const count = Number(args.cases);
const workerCount = Number(args.workers);
const kills = Number(args.kills);
const seed = Number(args.seed);
const random = seededRandom(seed);
const say = (m: string) => console.log(`» ${m}`);
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

async function main(): Promise<number> {
  const config = loadConfig();
  const dataDir = mkdtempSync(join(tmpdir(), 'ozg-chaos-'));
  say(
    `chaos run: ${count} cases, ${workerCount} workers, ${kills} kills, seed ${seed} (--seed ${seed} repeats the fault plan), data in ${dataDir}`,
  );
  const ports = { pg: await freePort(), temporal: await freePort() };
  const pgDir = join(dataDir, 'pg');
  let pg = await startEmbeddedPostgres({ dataDir: pgDir, port: ports.pg });
  await migrateDatabase(pg.url);
  const temporalDb = join(dataDir, 'temporal.sqlite');
  const startTemporal = () =>
    startTemporalDevServer({
      cli: config.temporalCli,
      port: ports.temporal,
      uiPort: false,
      dbFile: temporalDb,
      logFile: join(dataDir, 'temporal.log'),
    });
  let temporal: DevServer = await startTemporal();

  // Stand-ins in this process, each with a ledger per idempotency key and an off switch.
  const registers = buildRegisterSandbox({ data: sampleRegisterData(), seed });
  const ledgers: Record<string, Ledger> = { registers: withLedger(registers.app) };
  await registers.app.listen({ host: '127.0.0.1', port: 0 });
  const postbox = buildPostboxSandbox();
  ledgers['postbox'] = withLedger(postbox);
  await postbox.listen({ host: '127.0.0.1', port: 0 });
  const payments = await startPaymentSandbox({
    port: 0,
    webhookSecret: 'whsec_Y2hhb3M=',
    outcome: 'paid',
    delayMs: 0,
    webhooks: false,
    beforeListen: (app) => (ledgers['payments'] = withLedger(app)),
  });
  const urlOf = (app: typeof postbox) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  // Demo seal keys made once here, so two workers starting at once never race to create them.
  const keys = sealKeyStore({ ...config, dataDir: join(dataDir, 'engine') });
  await Promise.all(sealIdentities().map((identity) => keys.keyFor(identity)));
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet })).code);
  const workerEnv = {
    ...process.env,
    CHAOS_WORKFLOW_BUNDLE: bundlePath,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: pg.url,
    REGISTER_BASE_URL: urlOf(registers.app),
    POSTBOX_URL: urlOf(postbox),
    PAYMENT_PROVIDER_URL: payments.url,
    DATA_DIR: join(dataDir, 'engine'),
  };
  // The workers and this launcher share the development key ring in the engine's data folder: made here, before any worker starts.
  const dataConverter = engineDataConverter(payloadKeyRing({ dataDir: workerEnv.DATA_DIR }));
  const workers: Array<ChildProcess | undefined> = [];
  let stopping = false;
  let restarts = 0;
  const spawnWorker = (i: number) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'chaos/worker.ts'], {
      env: workerEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers[i] = child;
    // A worker that dies on its own (e.g. while Temporal restarts) is started again, as a supervisor would.
    child.on('exit', () => {
      if (!stopping && workers[i] === child) setTimeout(() => (restarts++, spawnWorker(i)), 1_000);
    });
  };
  for (let i = 0; i < workerCount; i++) spawnWorker(i);

  const database = connectDatabase(pg.url);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter });
  const cases = new CaseClient(client);
  const bot = startDemoCaseWorker({ tasks: new TaskClient(client, database.db), authorityId: 'stadt-musterstadt' });

  const applications = demoApplications(count, seed);
  const deadline = Date.now() + Number(args['timeout-s']) * 1000;
  const submitted: Array<{ caseId?: string; kind: keyof typeof expectedDemoOutcome; refused?: boolean }> = [];
  for (const a of applications) {
    try {
      submitted.push({
        caseId: (await cases.submit({ ...a.submission, idempotencyKey: `chaos-${seed}-${submitted.length}` })).caseId,
        kind: a.kind,
      });
    } catch {
      submitted.push({ kind: a.kind, refused: true });
    }
  }
  say(
    `${submitted.filter((s) => s.caseId).length} cases started, ${submitted.filter((s) => s.refused).length} refused at intake`,
  );

  /** Waits for a case's result, riding out a Temporal restart. */
  const resultOf = async (caseId: string) => {
    for (;;) {
      try {
        return { outcome: (await cases.result(caseId)).outcome };
      } catch (err) {
        if (Date.now() > deadline) return { error: (err as Error).message };
        if ((err as { name?: string }).name === 'WorkflowFailedError') return { error: (err as Error).message };
        await sleep(1_000);
      }
    }
  };
  const results = Promise.all(submitted.map(async (s) => ({ ...s, ...(s.caseId ? await resultOf(s.caseId) : {}) })));

  // The fault plan: kills at random moments, one PostgreSQL and one Temporal restart, each stand-in down for a while.
  const faults = { kills: 0, pgRestarts: 0, temporalRestarts: 0, standInOutages: 0 };
  let done = false;
  void results.then(() => (done = true));
  const plan = (async () => {
    for (let step = 0; !done && Date.now() < deadline; step++) {
      await sleep(3_000 + random() * 4_000);
      if (done) break;
      if (faults.kills < kills) {
        const i = Math.floor(random() * workerCount);
        workers[i]?.kill('SIGKILL');
        faults.kills++;
      }
      if (step === 2) {
        const name = ['registers', 'payments', 'postbox'][Math.floor(random() * 3)]!;
        for (const l of Object.values(ledgers)) l.down = true;
        await sleep(3_000);
        for (const l of Object.values(ledgers)) l.down = false;
        faults.standInOutages += 3;
        say(`stand-ins down for 3 s (${name} first)`);
      }
      if (step === 3) {
        await pg.stop();
        pg = await startEmbeddedPostgres({ dataDir: pgDir, port: ports.pg });
        faults.pgRestarts++;
        say('PostgreSQL restarted');
      }
      if (step === 5) {
        await temporal.stop();
        temporal = await startTemporal();
        faults.temporalRestarts++;
        say('Temporal dev server restarted on the same database file');
      }
    }
  })();

  const finished = await results;
  done = true;
  await plan;

  // Checks: outcomes, read models, event chains, effects per idempotency key at the stand-ins and in the tables.
  const started = finished.filter((f) => f.caseId);
  const lost = started.filter((f) => 'error' in f && f.error);
  const wrong = started.filter((f) => 'outcome' in f && f.outcome !== expectedDemoOutcome[f.kind]);
  let staleRows = 0;
  let brokenChains = 0;
  for (const f of started) {
    const row = await getCase(database.db, { caseId: f.caseId! });
    if (!row || row.status !== 'closed' || ('outcome' in f && row.outcome !== f.outcome)) staleRows++;
    if (!verifyEventChain(await listCaseEvents(database.db, { caseId: f.caseId! })).valid) brokenChains++;
  }
  // One effect per case and purpose in each effect table: more is a duplicate.
  const [dup] = await database.db.execute<{ n: string }>(sql`
    select (select count(*) from (select 1 from payments group by case_id, kind having count(*) > 1) p)
         + (select count(*) from (select 1 from deliveries group by case_id, document_sha256 having count(*) > 1) d)
         + (select count(*) from (select 1 from seals group by case_id, source_sha256 having count(*) > 1) s) as n`);
  const dupInTables = Number(dup?.n ?? 0);
  const duplicates = Object.values(ledgers).reduce((n, l) => n + duplicatesIn(l), 0) + dupInTables;

  console.log('\n| figure | value |\n| --- | --- |');
  const rows: Array<[string, string | number]> = [
    ['cases submitted', count],
    ['cases started (rest refused at intake as expected)', started.length],
    ['cases without a result by the deadline (lost or too slow)', lost.length],
    ['cases with an unexpected outcome', wrong.length],
    ['cases rows not equal to the final state', staleRows],
    ['broken event chains', brokenChains],
    ['worker SIGKILLs / restarts', `${faults.kills} / ${restarts}`],
    ['PostgreSQL restarts', faults.pgRestarts],
    ['Temporal dev server restarts', faults.temporalRestarts],
    ['stand-in requests refused while down', Object.values(ledgers).reduce((n, l) => n + l.refusedWhileDown, 0)],
    ...Object.entries(ledgers).map(([n, l]): [string, string] => [
      `${n}: keys / requests / effects`,
      `${l.received.size} / ${total(l.received)} / ${total(l.effects)}`,
    ]),
    ['duplicate effects (stand-ins and tables)', duplicates],
  ];
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  for (const l of lost.slice(0, 5)) console.log(`lost: ${l.caseId}: ${'error' in l ? l.error : ''}`);

  stopping = true;
  await bot.stop();
  for (const w of workers) w?.kill('SIGKILL');
  await connection.close();
  await database.close();
  await payments.close();
  await postbox.close();
  await registers.app.close();
  await temporal.stop();
  await pg.stop();
  const ok =
    lost.length === 0 &&
    wrong.length === 0 &&
    staleRows === 0 &&
    brokenChains === 0 &&
    duplicates === 0 &&
    faults.kills >= Math.min(kills, 1);
  if (ok) rmSync(dataDir, { recursive: true, force: true });
  say(ok ? 'no loss, no duplicate' : `FAILED (data kept in ${dataDir})`);
  return ok ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(err);
  return 1;
});

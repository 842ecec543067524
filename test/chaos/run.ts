import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../dev/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { workflowsPath } from '../../app/case-worker.js';
import { engineDataConverter, failureConverterPath } from '../../platform/codec/data-converter.js';
import { payloadKeyRing } from '../../platform/codec/keys.js';
import { sealIdentities } from '../../app/production-profile.js';
import { sealKeyStore } from '../../dev/demo-seal-keys.js';
import { sql } from 'drizzle-orm';
import { CaseClient } from '../../client/case-client.js';
import { IntakeRefusedError } from '../../client/intake-refused.js';
import { TaskClient } from '../../client/task-client.js';
import { loadConfig } from '../../platform/config.js';
import { connectDatabase } from '../../db/client.js';
import { verifyEventChain } from '../../db/event-chain.js';
import { migrateDatabase } from '../../db/migrate.js';
import { listCaseEvents } from '../../db/queries/case-events.js';
import { getCase } from '../../db/queries/cases.js';
import { startDemoCaseWorker } from '../../dev/demo/case-worker-bot.js';
import { sampleRegisterData } from '../../dev/demo/sample-applications.js';
import { demoApplications, expectedDemoOutcome } from '../../dev/demo/sample-mix.js';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres.js';
import { startTemporalDevServer, type DevServer } from '../../dev/temporal-dev-server.js';
import { buildPostboxSandbox } from '../../dev/stand-ins/postbox/server.js';
import { startPaymentSandbox } from '../../dev/stand-ins/payments/server.js';
import { buildRegisterSandbox } from '../../dev/stand-ins/registers/server.js';
import { seededRandom } from '../../dev/stand-ins/seeded-random.js';
import { duplicatesIn, retrieval, total, withLedger, type Ledger } from './stand-ins.js';

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
  const ledgers: Record<string, Ledger> = { registers: withLedger(registers.app, retrieval) };
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/worker.ts'], {
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
  const cases = new CaseClient(client, database.db);
  const bot = startDemoCaseWorker({ tasks: new TaskClient(client, database.db), authorityId: 'stadt-musterstadt' });

  const applications = demoApplications(count, seed);
  const deadline = Date.now() + Number(args['timeout-s']) * 1000;
  type Submitted = { caseId?: string; kind: keyof typeof expectedDemoOutcome; refused?: boolean };

  /** Submits one application, riding out a Temporal restart; the idempotency key makes a repeat start nothing new. */
  const submit = async (a: (typeof applications)[number], n: number): Promise<Submitted> => {
    for (;;) {
      try {
        return {
          caseId: (await cases.submit({ ...a.submission, idempotencyKey: `chaos-${seed}-${n}` })).caseId,
          kind: a.kind,
        };
      } catch (err) {
        if (err instanceof IntakeRefusedError) return { kind: a.kind, refused: true };
        if (Date.now() > deadline) throw err;
        await sleep(1_000);
      }
    }
  };
  /** Waits for a case's result, riding out a Temporal restart. */
  const resultOf = async (caseId: string) => {
    for (;;) {
      try {
        // The result's long poll waits for ever: the deadline ends the wait for a case that never closes.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no result by the deadline')), Math.max(0, deadline - Date.now()));
        });
        return {
          outcome: (await Promise.race([cases.result(caseId), late]).finally(() => clearTimeout(timer))).outcome,
        };
      } catch (err) {
        if (Date.now() > deadline) return { error: (err as Error).message };
        if ((err as { name?: string }).name === 'WorkflowFailedError') return { error: (err as Error).message };
        await sleep(1_000);
      }
    }
  };

  // Applications arrive over the whole run, a quarter of the batch in flight at a time, so every stand-in is in use
  // whenever a fault hits. Progress is the number of settled applications (closed, or refused at intake): every fault
  // waits for its point of progress, not for a moment in time.
  const inFlight = Math.max(4, Math.ceil(count / 4));
  let settled = 0;
  let next = 0;
  const outcomes: Array<Submitted & { outcome?: string; error?: string }> = [];
  const lane = async () => {
    while (next < applications.length) {
      const n = next++;
      const s = await submit(applications[n]!, n);
      outcomes[n] = s.caseId ? { ...s, ...(await resultOf(s.caseId)) } : s;
      settled++;
    }
  };
  const results = Promise.all(Array.from({ length: inFlight }, lane)).then(() => outcomes);

  // The fault plan, fixed by the seed before the first case settles: each kill, one PostgreSQL and one Temporal
  // restart and an outage of each stand-in, in a seeded order, each after its share of the batch has settled,
  // spread between 5 % and 60 % of it, so every fault happens while the rest of the batch is still in flight.
  type FaultKind = 'kill' | 'pg' | 'temporal' | 'outage:registers' | 'outage:payments' | 'outage:postbox';
  const kinds: FaultKind[] = [
    ...Array.from({ length: kills }, () => 'kill' as const),
    'pg',
    'temporal',
    'outage:registers',
    'outage:payments',
    'outage:postbox',
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const lo = Math.max(1, Math.ceil(count * 0.05));
  const hi = Math.max(lo, Math.floor(count * 0.6));
  const plan = kinds.map((kind, i) => ({
    kind,
    afterSettled: lo + Math.floor(((i + random()) * (hi - lo)) / kinds.length),
  }));
  say(`fault plan (after how many settled cases): ${plan.map((f) => `${f.kind}@${f.afterSettled}`).join(', ')}`);
  const planned = { kills, pgRestarts: 1, temporalRestarts: 1, standInOutages: 3 };
  const faults = { kills: 0, pgRestarts: 0, temporalRestarts: 0, standInOutages: 0 };
  const outageRefusals: Record<string, number> = {};
  let done = false;
  void results.then(() => (done = true));
  const outages: Array<Promise<void>> = [];
  const runPlan = (async () => {
    for (const f of plan) {
      while (!done && settled < f.afterSettled && Date.now() < deadline) await sleep(100);
      if (done || Date.now() >= deadline) return;
      if (f.kind === 'kill') {
        // A live worker, chosen by the seed; one that is being restarted is skipped.
        const live = workers.filter((w) => w && w.exitCode === null && w.signalCode === null);
        const w = live[Math.floor(random() * live.length)];
        if (w?.kill('SIGKILL')) faults.kills++;
        say(`SIGKILL to a worker after ${settled} settled cases`);
      } else if (f.kind === 'pg') {
        await pg.stop();
        pg = await startEmbeddedPostgres({ dataDir: pgDir, port: ports.pg });
        faults.pgRestarts++;
        say(`PostgreSQL restarted after ${settled} settled cases`);
      } else if (f.kind === 'temporal') {
        await temporal.stop();
        temporal = await startTemporal();
        faults.temporalRestarts++;
        say(`Temporal dev server restarted on the same database file after ${settled} settled cases`);
      } else {
        // Each stand-in down on its own for 3 s, longer (up to 60 s) until it has refused a request; the plan goes on
        // meanwhile. An outage that refused nothing did not happen.
        const name = f.kind.slice('outage:'.length);
        const ledger = ledgers[name]!;
        const before = ledger.refusedWhileDown;
        const from = Date.now();
        ledger.down = true;
        say(`${name} down after ${settled} settled cases`);
        outages.push(
          (async () => {
            await sleep(3_000);
            while (ledger.refusedWhileDown === before && Date.now() - from < 60_000 && !done) await sleep(100);
            ledger.down = false;
            outageRefusals[name] = ledger.refusedWhileDown - before;
            if (outageRefusals[name] > 0) faults.standInOutages++;
            say(
              `${name} up again after ${Math.round((Date.now() - from) / 1000)} s, ${outageRefusals[name]} requests refused`,
            );
          })(),
        );
      }
    }
  })();

  const finished = await results;
  done = true;
  await runPlan;
  await Promise.all(outages);
  const missedFaults = (Object.keys(planned) as Array<keyof typeof planned>).filter((k) => faults[k] < planned[k]);

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
    ['worker SIGKILLs performed / planned (worker restarts)', `${faults.kills} / ${planned.kills} (${restarts})`],
    ['PostgreSQL restarts performed / planned', `${faults.pgRestarts} / ${planned.pgRestarts}`],
    ['Temporal dev server restarts performed / planned', `${faults.temporalRestarts} / ${planned.temporalRestarts}`],
    ['stand-in outages that refused requests / planned', `${faults.standInOutages} / ${planned.standInOutages}`],
    [
      'stand-in requests refused while down',
      Object.entries(outageRefusals)
        .map(([n, r]) => `${n} ${r}`)
        .join(', '),
    ],
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
    missedFaults.length === 0;
  if (missedFaults.length > 0)
    say(`planned faults that did not happen before the batch finished: ${missedFaults.join(', ')}`);
  if (ok) rmSync(dataDir, { recursive: true, force: true });
  say(ok ? 'no loss, no duplicate' : `FAILED (data kept in ${dataDir})`);
  return ok ? 0 : 1;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(err);
  return 1;
});

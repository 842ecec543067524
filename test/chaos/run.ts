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
import { databaseAuthorities } from '../../platform/codec/authority-keys.js';
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
import {
  type DemoApplication,
  type DemoKind,
  demoApplications,
  expectedDemoOutcome,
} from '../../dev/demo/sample-mix.js';
import type { CaseOutcome, CaseState } from '../../workflows/contracts/case.js';
import type { StaffActor } from '../../workflows/contracts/task.js';
import { applicationOf } from '../samples.js';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres.js';
import { startTemporalDevServer, type DevServer } from '../../dev/temporal-dev-server.js';
import { buildPostboxSandbox } from '../../dev/stand-ins/postbox/server.js';
import { startForwardingSandbox } from '../../dev/stand-ins/forwarding/server.js';
import { startPaymentSandbox } from '../../dev/stand-ins/payments/server.js';
import { buildRegisterSandbox } from '../../dev/stand-ins/registers/server.js';
import { seededRandom } from '../../dev/stand-ins/seeded-random.js';
import { duplicatesInTables } from './effect-tables.js';
import { workerProcessEnv } from './worker-env.js';
import { created, duplicateEffects, retrieval, total, withLedger, type Ledger } from './stand-ins.js';

/** Letters at the postbox whose subject starts with `subject`, by case and purpose. */
const countLetters = (ledgers: Record<string, Ledger>, subject: string): number =>
  [...(ledgers['postbox']?.byPurpose.keys() ?? [])].filter((k) => k.startsWith('letter:') && k.includes(`: ${subject}`))
    .length;

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
  // Every seventh effect of the postbox, the payment provider and the forwarding stand-in loses its answer: the engine
  // must repeat it under its idempotency key, and a duplicate by case and purpose shows where it did not.
  const lossy = { loseAnswerEvery: 7 };
  ledgers['postbox'] = withLedger(postbox, created, lossy);
  await postbox.listen({ host: '127.0.0.1', port: 0 });
  // The applicants pay on the payment page (the launcher plays them, below), so a fee can also be left unpaid.
  let cancellations = 0;
  const payments = await startPaymentSandbox({
    port: 0,
    webhookSecret: 'whsec_Y2hhb3M=',
    outcome: 'manual',
    delayMs: 0,
    webhooks: false,
    beforeListen: (app) => {
      ledgers['payments'] = withLedger(app, created, lossy);
      app.addHook('onSend', async (req, reply, payload) => {
        if (req.method === 'POST' && /^\/transactions\/[^/]+\/cancel$/.test(req.url) && reply.statusCode < 300)
          cancellations++;
        return payload;
      });
    },
  });
  const forwarding = await startForwardingSandbox({
    host: '127.0.0.1',
    port: 0,
    beforeListen: (app) => (ledgers['forwarding'] = withLedger(app, created, lossy)),
  });
  const urlOf = (app: typeof postbox) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  // Demo seal keys made once here, so two workers starting at once never race to create them.
  const keys = sealKeyStore({ ...config, dataDir: join(dataDir, 'engine') });
  await Promise.all(sealIdentities().map((identity) => keys.keyFor(identity)));
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet })).code);
  const workerEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: pg.url,
    REGISTER_BASE_URL: urlOf(registers.app),
    POSTBOX_URL: urlOf(postbox),
    PAYMENT_PROVIDER_URL: payments.url,
    FORWARDING_URL: forwarding.url,
    // Documents and archive packages in PostgreSQL, where the check counts archive packages per case.
    BLOB_STORE: 'postgres',
    DATA_DIR: join(dataDir, 'engine'),
  };
  // The workers and this launcher share the development key ring in the engine's data folder: made here, before any worker starts.
  const ring = payloadKeyRing({ dataDir: workerEnv.DATA_DIR });
  // Cases' payloads are under their authority's data key, kept in the engine's database (read when first needed).
  const dataConverter = engineDataConverter(ring, { authorities: databaseAuthorities(ring, () => database.db) });
  const workers: Array<ChildProcess | undefined> = [];
  let stopping = false;
  let restarts = 0;
  /** The workers this run SIGKILLed on purpose; any other worker that exits is a failure of the run. */
  const killedOnPurpose = new Set<ChildProcess>();
  const unexpectedDeaths: string[] = [];
  let failedStarts = 0;
  const spawnWorker = async (i: number) => {
    if (stopping) return;
    const healthPort = await freePort();
    // The production worker (startWorker) takes the launcher's prebuilt bundle, so a restarted worker polls within
    // seconds, and the demo seal keys made above.
    const env = {
      ...workerEnv,
      ...(await workerProcessEnv({ dataDir: workerEnv.DATA_DIR, workflowBundle: bundlePath })),
    };
    if (stopping) return;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/worker.ts'], {
      env: { ...env, WORKER_HEALTH_PORT: String(healthPort) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers[i] = child;
    // Started once its health server answers: a worker that refuses to start (PostgreSQL unreachable at that moment)
    // fails fast by design and is started again; one that dies after it started is a failure of the run.
    let started = false;
    void (async () => {
      while (!started && child.exitCode === null && child.signalCode === null) {
        started = (await fetch(`http://127.0.0.1:${healthPort}/livez`).catch(() => undefined))?.ok ?? false;
        if (!started) await sleep(250);
      }
    })();
    // A killed worker is started again, as a supervisor would; one that died on its own is too, and fails the run.
    child.on('exit', (code, signal) => {
      if (stopping || workers[i] !== child) return;
      if (!started && !killedOnPurpose.has(child)) failedStarts++;
      else if (!killedOnPurpose.has(child)) {
        unexpectedDeaths.push(`worker ${child.pid} ${signal ?? `exit code ${code}`} after ${settled} settled cases`);
        say(`a worker died that was not killed: ${unexpectedDeaths.at(-1)}`);
      }
      setTimeout(() => (restarts++, void spawnWorker(i)), 1_000);
    });
  };
  for (let i = 0; i < workerCount; i++) await spawnWorker(i);

  const database = connectDatabase(pg.url);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter });
  const cases = new CaseClient(client, database.db);
  const tasks = new TaskClient(client, database.db);
  // The bot plays the case workers for every case but the one where the launcher asks the applicant a question.
  const botCases = new Set<string>();
  const bot = startDemoCaseWorker({ tasks, authorityId: 'stadt-musterstadt', onlyCases: botCases });

  // The demo's batch, plus what the demo never does: a fee left unpaid (reminder, then cancellation), an applicant the
  // register does not know (evidence request, action-required message, reminder, closed as incomplete), and a
  // question the case worker asks the applicant. Fees are paid on the payment page; the engine asks every 300 ms.
  type Chaos = 'unpaid' | 'unknown' | 'question';
  const poll = { paymentPollMs: 300 };
  const applications = demoApplications(count, seed).map(
    (a, n): DemoApplication & { chaos?: Chaos; expected: CaseOutcome } => {
      if (n % 10 === 2)
        return {
          kind: 'resident',
          chaos: 'unpaid',
          expected: 'refused',
          submission: {
            ...applicationOf('resident', 1),
            deadlines: { ...poll, feeReminderMs: 1_500, feePaymentMs: 4_000 },
          },
        };
      if (n % 10 === 6) {
        const s = applicationOf('resident', 2);
        s.identity.subject = 'pseudonym-zugezogen';
        return {
          kind: 'resident',
          chaos: 'unknown',
          expected: 'incomplete',
          submission: { ...s, deadlines: { ...poll, evidenceReminderMs: 3_000, evidenceDeadlineMs: 6_000 } },
        };
      }
      if (n === 4)
        return {
          kind: 'company_car',
          chaos: 'question',
          expected: 'approved',
          submission: { ...applicationOf('company_car', 0), deadlines: poll },
        };
      return { ...a, expected: expectedDemoOutcome[a.kind], submission: { ...a.submission, deadlines: poll } };
    },
  );
  const deadline = Date.now() + Number(args['timeout-s']) * 1000;
  type Submitted = { caseId?: string; kind: DemoKind; expected: CaseOutcome; refused?: boolean };
  /** The started cases and their part in the mix; a fee is paid only once its case is known here. */
  const known = new Map<string, Chaos | undefined>();

  // The applicants on the payment page: every fee paid but those of the 'unpaid' cases, which are abandoned.
  let paying = true;
  const settledFees = new Set<string>();
  const payer = (async () => {
    while (paying) {
      const open = await database.db
        .execute<{ case_id: string; payment_page_url: string; provider_transaction_id: string }>(
          sql`select case_id, payment_page_url, provider_transaction_id from payments
            where kind = 'fee' and status = 'open' and payment_page_url is not null`,
        )
        .catch(() => []);
      for (const p of open) {
        if (!known.has(p.case_id) || settledFees.has(p.provider_transaction_id)) continue;
        const paid = await fetch(p.payment_page_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ outcome: known.get(p.case_id) === 'unpaid' ? 'abandoned' : 'paid' }),
        }).catch(() => undefined);
        if (paid?.ok) settledFees.add(p.provider_transaction_id);
      }
      await sleep(200);
    }
  })();

  /** One step of a case worker or the applicant, riding out restarts: done when `done` says so for the case's state. */
  const step = async (caseId: string, done: (s: CaseState) => boolean, act: () => Promise<unknown>) => {
    while (Date.now() < deadline) {
      const s = await cases.status(caseId).catch(() => undefined);
      if (s && done(s)) return;
      if (s) await act().catch(() => {});
      await sleep(500);
    }
  };
  /** The case worker claims the task, asks the applicant, who replies, then approves. */
  const askTheApplicant = async (caseId: string, subject: string) => {
    const actor: StaffActor = { id: 'chaos.sachbearbeitung', role: 'case_worker', authorityId: 'stadt-musterstadt' };
    let taskId = '';
    await step(
      caseId,
      (s) => s.status === 'awaiting_case_worker' && !!s.openTaskId && !!(taskId = s.openTaskId),
      async () => {},
    );
    await step(
      caseId,
      (s) => s.task?.assignee === actor.id,
      () => tasks.act(caseId, { action: 'claim', taskId, actor }),
    );
    await step(
      caseId,
      (s) => !!s.task?.openQuestion,
      () =>
        tasks.act(caseId, { action: 'ask', taskId, actor, kind: 'question', text: 'Seit wann nutzen Sie den Wagen?' }),
    );
    const questionId = (await cases.status(caseId)).task?.openQuestion?.questionId ?? '';
    await step(
      caseId,
      (s) => !s.task?.openQuestion,
      () => tasks.reply(caseId, { questionId, subject, answer: 'Seit März.' }),
    );
    await step(
      caseId,
      (s) => s.status !== 'awaiting_case_worker',
      () =>
        tasks.act(caseId, {
          action: 'complete',
          taskId,
          actor,
          outcome: 'approve',
          justification: 'Dienstwagen belegt.',
        }),
    );
  };

  /** Submits one application, riding out a Temporal restart; the idempotency key makes a repeat start nothing new. */
  const submit = async (a: (typeof applications)[number], n: number): Promise<Submitted> => {
    for (;;) {
      try {
        const { caseId } = await cases.submit({ ...a.submission, idempotencyKey: `chaos-${seed}-${n}` });
        known.set(caseId, a.chaos);
        if (a.chaos !== 'question') botCases.add(caseId);
        else void askTheApplicant(caseId, a.submission.identity.subject);
        return { caseId, kind: a.kind, expected: a.expected };
      } catch (err) {
        if (err instanceof IntakeRefusedError) return { kind: a.kind, expected: a.expected, refused: true };
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
        if (w) killedOnPurpose.add(w);
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
  paying = false;
  await payer;
  await runPlan;
  await Promise.all(outages);
  const missedFaults = (Object.keys(planned) as Array<keyof typeof planned>).filter((k) => faults[k] < planned[k]);

  // Checks: outcomes, read models, event chains, effects per idempotency key at the stand-ins and in the tables.
  const started = finished.filter((f) => f.caseId);
  const lost = started.filter((f) => 'error' in f && f.error);
  const wrong = started.filter((f) => 'outcome' in f && f.outcome !== f.expected);
  let staleRows = 0;
  let brokenChains = 0;
  for (const f of started) {
    const row = await getCase(database.db, { caseId: f.caseId! });
    if (!row || row.status !== 'closed' || ('outcome' in f && row.outcome !== f.outcome)) staleRows++;
    if (!verifyEventChain(await listCaseEvents(database.db, { caseId: f.caseId! })).valid) brokenChains++;
  }
  // Exactly once by business identity: per case and purpose at the stand-ins (and per idempotency key) and in the
  // tables, whatever keys or document bytes a second effect came with.
  const duplicateList = [...duplicateEffects(ledgers), ...(await duplicatesInTables(database.db))];
  const duplicates = duplicateList.length;
  const purposes = (prefix: string) =>
    Object.values(ledgers).reduce((n, l) => n + [...l.byPurpose.keys()].filter((k) => k.startsWith(prefix)).length, 0);
  // Every kind of effect happened at least once, so each was exposed to the faults.
  const effectKinds = {
    'fee request': purposes('fee request:'),
    'pay-out': purposes('pay-out:'),
    refund: purposes('refund of'),
    'Bescheid delivery': purposes('letter:') && countLetters(ledgers, 'Bescheid zu'),
    'fee reminder': countLetters(ledgers, 'Zahlungserinnerung'),
    'evidence request': countLetters(ledgers, 'Bitte reichen Sie Unterlagen nach'),
    'question to the applicant': countLetters(ledgers, 'Rückfrage'),
    'status message': purposes('status message:'),
    'action-required status message': [...ledgers['postbox']!.byPurpose.keys()].filter((k) =>
      k.endsWith(': ACTION_REQUIRED'),
    ).length,
    'forwarding notice': purposes('forwarding notice:'),
    'fee cancellation': cancellations,
  };
  const missingKinds = Object.entries(effectKinds)
    .filter(([, n]) => !n)
    .map(([k]) => k);

  console.log('\n| figure | value |\n| --- | --- |');
  const rows: Array<[string, string | number]> = [
    ['cases submitted', count],
    ['cases started (rest refused at intake as expected)', started.length],
    ['cases without a result by the deadline (lost or too slow)', lost.length],
    ['cases with an unexpected outcome', wrong.length],
    ['cases rows not equal to the final state', staleRows],
    ['broken event chains', brokenChains],
    ['worker SIGKILLs performed / planned (worker restarts)', `${faults.kills} / ${planned.kills} (${restarts})`],
    [
      'workers that died without being killed (starts refused, started again)',
      `${unexpectedDeaths.length} (${failedStarts})`,
    ],
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
      `${n}: keys / requests / effects (answers lost after the effect)`,
      `${l.received.size} / ${total(l.received)} / ${total(l.effects)} (${l.answersLost})`,
    ]),
    ...Object.entries(effectKinds).map(([k, n]): [string, number] => [`effects: ${k}`, n]),
    ['duplicate effects (stand-ins and tables, per key and per case and purpose)', duplicates],
  ];
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  for (const l of lost.slice(0, 5)) console.log(`lost: ${l.caseId}: ${'error' in l ? l.error : ''}`);
  for (const d of unexpectedDeaths) console.log(`died: ${d}`);
  for (const d of duplicateList.slice(0, 20)) console.log(`duplicate: ${d}`);
  if (missingKinds.length > 0) say(`effect kinds the batch never produced: ${missingKinds.join(', ')}`);

  stopping = true;
  await bot.stop();
  for (const w of workers) w?.kill('SIGKILL');
  await connection.close();
  await database.close();
  await payments.close();
  await forwarding.stop();
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
    unexpectedDeaths.length === 0 &&
    missingKinds.length === 0 &&
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

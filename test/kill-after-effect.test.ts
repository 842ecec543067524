import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { sealIdentities } from '../app/production-profile.js';
import { SIDE_EFFECTING_ACTIVITIES, type KillMark } from './chaos/kill-after-effect.js';
import { duplicatesInTables } from './chaos/effect-tables.js';
import { duplicateEffects, total, retrieval, withLedger, type Ledger } from './chaos/stand-ins.js';
import { workerProcessEnv } from './chaos/worker-env.js';
import { CaseClient } from '../client/case-client.js';
import { ObjectionClient } from '../client/objection-client.js';
import { CorrectionClient } from '../client/correction-client.js';
import type { CorrectionProposal } from '../workflows/contracts/correction.js';
import { listPayments } from '../db/queries/payments.js';
import { QuestionClient } from '../client/question-client.js';
import { TaskClient } from '../client/task-client.js';
import { loadConfig } from '../platform/config.js';
import { bekanntgabeWorkflowId, effectKey } from '../workflows/contracts/ids.js';
import type { StaffActor } from '../workflows/contracts/task.js';
import { listAnswers } from '../db/queries/applicant-answers.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { sealKeyStore } from '../dev/demo-seal-keys.js';
import { startForwardingSandbox } from '../dev/stand-ins/forwarding/server.js';
import { startPaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { buildPostboxSandbox } from '../dev/stand-ins/postbox/server.js';
import { buildRegisterSandbox } from '../dev/stand-ins/registers/server.js';
import { client, db } from './harness.js';
import { applicationOf } from './samples.js';
import { testPayloadKeys } from './support/codec.js';
import { waitFor } from './support/wait.js';

/**
 * Every side-effecting activity once under a real SIGKILL of its worker process after its effect and before its
 * completion reached Temporal (test/chaos/kill-after-effect.ts, only in test/chaos/worker.ts): the other worker runs it again,
 * and the effect is there exactly once, at the stand-in and in the tables, and the case ends as it should.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const children: ChildProcess[] = [];
const stops: Array<() => Promise<unknown>> = [];
let stopping = false;
/** When each worker died and what the test saw, printed at the end (also when the test fails). */
const timeline: string[] = [];
afterAll(async () => {
  stopping = true;
  console.log(`timeline:\n${timeline.join('\n')}`);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of stops.reverse()) await s().catch(() => {});
});

/**
 * A workflow whose task died with its worker refuses updates until another worker has run its next task; the server
 * admitted nothing, so the caller (a person at the workbench) simply tries again.
 */
const untilAdmitted = <T>(what: string, f: () => Promise<T>): Promise<T> =>
  waitFor(
    () =>
      f().catch((err: unknown) => {
        const e = err as { message?: string; cause?: { message?: string; details?: string } };
        if (`${e.message} ${e.cause?.message} ${e.cause?.details}`.includes('Workflow Task in failed state'))
          return undefined;
        throw err;
      }),
    { timeoutMs: 180_000, what, intervalMs: 500 },
  );

const listening = (app: { server: { address(): unknown } }) =>
  `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

describe('a worker killed right after an effect', () => {
  it('every side-effecting activity: the retry on another worker repeats no effect; every case ends as expected', {
    timeout: 900_000,
  }, async () => {
    // Stand-ins with a ledger per idempotency key.
    const ledgers: Record<string, Ledger> = {};
    const registers = buildRegisterSandbox({ data: sampleRegisterData(), seed: 14 });
    ledgers['registers'] = withLedger(registers.app, retrieval);
    await registers.app.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => registers.app.close());
    const postbox = buildPostboxSandbox();
    ledgers['postbox'] = withLedger(postbox);
    await postbox.listen({ host: '127.0.0.1', port: 0 });
    stops.push(() => postbox.close());
    const cancelled = new Map<string, number>();
    // Fees wait for the applicant on the payment page (the test pays, or abandons one), so a cancellation is possible.
    const payments = await startPaymentSandbox({
      port: 0,
      webhookSecret: 'whsec_a2lsbA==',
      outcome: 'manual',
      delayMs: 0,
      webhooks: false,
      beforeListen: (app) => {
        ledgers['payments'] = withLedger(app);
        app.addHook('onRequest', async (req) => {
          const m = /^\/transactions\/([^/]+)\/cancel$/.exec(req.url);
          if (m && req.method === 'POST') cancelled.set(m[1]!, (cancelled.get(m[1]!) ?? 0) + 1);
        });
      },
    });
    stops.push(payments.close);
    const forwarding = await startForwardingSandbox({
      host: '127.0.0.1',
      port: 0,
      beforeListen: (app) => (ledgers['forwarding'] = withLedger(app)),
    });
    stops.push(forwarding.stop);

    // Three worker processes on their own queue, so two serve while a killed one is started again, as a supervisor would.
    const dataDir = mkdtempSync(join(tmpdir(), 'ozg-kill-'));
    const marks = mkdtempSync(join(tmpdir(), 'ozg-kill-marks-'));
    // Removed after the workers (stopped first, in reverse order of these steps).
    stops.unshift(async () => {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(marks, { recursive: true, force: true });
    });
    const keys = sealKeyStore({ ...loadConfig(), dataDir });
    await Promise.all(sealIdentities().map((identity) => keys.keyFor(identity)));
    const taskQueue = `kill-${randomUUID()}`;
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      CHAOS_KILL_AFTER: SIDE_EFFECTING_ACTIVITIES.join(','),
      CHAOS_KILL_MARKS: marks,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: inject('databaseUrl'),
      TASK_QUEUE: taskQueue,
      BLOB_STORE: 'postgres',
      PAYLOAD_KEYS: testPayloadKeys,
      REGISTER_BASE_URL: listening(registers.app),
      POSTBOX_URL: listening(postbox),
      PAYMENT_PROVIDER_URL: payments.url,
      FORWARDING_URL: forwarding.url,
    };
    let killed = 0;
    const t0 = Date.now();
    // The production worker (startWorker), with the test's bundle, the demo seal keys made above and a health port each.
    const spawnWorker = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/worker.ts'], {
        cwd: root,
        env: { ...env, ...(await workerProcessEnv({ dataDir, workflowBundle: inject('workflowBundlePath') })) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      // What a worker said last on stderr explains an exit this test did not cause.
      let said = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        said = (said + chunk.toString('utf8')).slice(-2000);
      });
      child.once('exit', (_code, signal) => {
        if (signal === 'SIGKILL') killed++;
        else unexpectedExits.push(`worker ${child.pid} exited with ${_code}: ${said}`);
        timeline.push(`${Math.round((Date.now() - t0) / 100) / 10} s: worker ${child.pid} ${signal ?? 'exited'}`);
        if (!stopping) void spawnWorker();
      });
    };
    const unexpectedExits: string[] = [];
    for (let i = 0; i < 3; i++) await spawnWorker();

    const cases = new CaseClient(client, db, taskQueue);
    const tasks = new TaskClient(client, db);
    const questions = new QuestionClient(client, taskQueue);
    const pollFee = { paymentPollMs: 300 };
    const submissions = {
      // Fee in advance, evidence from two registers, seal, delivery, archive.
      approved: { s: { ...applicationOf('resident', 0), deadlines: pollFee }, outcome: 'approved' },
      // Rejected after the fee was paid: the fee is refunded.
      refunded: { s: { ...applicationOf('other_zone', 0), deadlines: pollFee }, outcome: 'rejected' },
      // The applicant abandons the payment: reminder, then the fee and the case are cancelled at the deadline.
      cancelled: {
        s: {
          ...applicationOf('resident', 1),
          deadlines: { paymentPollMs: 300, feeReminderMs: 1_000, feePaymentMs: 2_500 },
        },
        outcome: 'refused',
      },
      // A cargo-bike grant: paid out.
      paidOut: { s: lastenradApplication('eligible', 9), outcome: 'approved' },
      // A Gewerbeanmeldung: fee after the decision, forwarded to the authorities named in the service.
      forwarded: { s: { ...gewerbeApplication('retail', 9), deadlines: pollFee }, outcome: 'approved' },
      // The register does not know the applicant: a request for evidence, then closed as incomplete at the deadline.
      evidenceRequested: {
        s: (() => {
          const s = applicationOf('resident', 2);
          s.identity.subject = 'pseudonym-zugezogen';
          return {
            ...s,
            deadlines: { ...pollFee, evidenceReminderMs: 20_000, evidenceDeadlineMs: 25_000 },
          };
        })(),
        outcome: 'incomplete',
      },
      // Escalated to a case worker, who asks the applicant; the applicant's own question gets a confirmed answer.
      asked: { s: { ...applicationOf('company_car', 0), deadlines: pollFee }, outcome: 'approved' },
      // Escalated, then withdrawn by the applicant while it waits: the confirmation goes out once.
      withdrawn: { s: { ...applicationOf('company_car', 1), deadlines: pollFee }, outcome: 'withdrawn' },
      // Rejected by the rules after a hearing (§ 28 VwVfG): the letter, the deadline passes (legal days of 0.3 s), two
      // case workers reject; then its Bekanntgabe: not retrieved, provided again (§ 41 Abs. 2a Satz 5), not retrieved.
      heard: {
        s: { ...lastenradApplication('not_resident', 11), deadlines: { legalDayMs: 300 } },
        outcome: 'rejected',
      },
      // Approval by fiction (§ 42a VwVfG): escalated, the period extended once, then it passes with no decision.
      fiction: {
        s: { ...applicationOf('company_car', 3), deadlines: { ...pollFee, legalDayMs: 1_000 } },
        outcome: 'approved_by_fiction',
      },
    };
    const started = Object.fromEntries(
      await Promise.all(
        Object.entries(submissions).map(async ([name, { s }]) => [name, (await cases.submit(s)).caseId] as const),
      ),
    ) as Record<keyof typeof submissions, string>;
    const caseIds = new Set(Object.values(started));

    // The applicants on the payment page: every fee of these cases paid, but the one that is abandoned.
    const settledFees = new Set<string>();
    let paying = true;
    const payer = (async () => {
      // The applicants on the payment page, not a wait for a check: each round pays what is open now.
      while (paying) {
        const open = await db
          .execute<{ case_id: string; payment_page_url: string; provider_transaction_id: string }>(
            sql`select case_id, payment_page_url, provider_transaction_id from payments
              where kind = 'fee' and status = 'open' and payment_page_url is not null`,
          )
          .catch(() => []);
        for (const p of open) {
          if (!caseIds.has(p.case_id) || settledFees.has(p.provider_transaction_id)) continue;
          settledFees.add(p.provider_transaction_id);
          await fetch(p.payment_page_url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ outcome: p.case_id === started.cancelled ? 'abandoned' : 'paid' }),
          });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    // The escalated case: the applicant asks, a case worker confirms an answer; the case worker asks the applicant,
    // who replies; then the case worker approves.
    const asked = submissions.asked.s;
    // Queries need a running worker: the first ones wait for the worker processes to have started.
    await waitFor(async () => cases.status(started.asked).catch(() => undefined), {
      timeoutMs: 90_000,
      what: 'a worker to answer',
    });
    const { questionId } = await untilAdmitted('the question', () =>
      questions.ask(started.asked, { recipient: asked.identity.subject, question: 'Wie lange dauert es noch?' }),
    );
    await waitFor(
      async () => {
        const q = await questions.state(started.asked, questionId).catch(() => undefined);
        return q && (q.draft || q.draftFailed);
      },
      { timeoutMs: 60_000, what: 'a draft or its failure' },
    );
    await untilAdmitted('the confirmation', () =>
      questions.confirm(started.asked, questionId, { caseWorker: 'sb.kill', text: 'Wir melden uns bald.' }),
    );
    timeline.push(`${Math.round((Date.now() - t0) / 100) / 10} s: the answer confirmed`);
    const state = await waitFor(
      async () => {
        const s = await cases.status(started.asked).catch(() => undefined);
        return s?.status === 'awaiting_case_worker' && s.openTaskId ? s : undefined;
      },
      { timeoutMs: 180_000, what: 'the escalated case to wait for a case worker' },
    );
    const actor: StaffActor = { id: 'sb.kill', role: 'case_worker', authorityId: asked.authorityId };
    const taskId = state.openTaskId!;
    await waitFor(async () => tasks.find(taskId), { timeoutMs: 120_000, what: `task ${taskId}` });
    await untilAdmitted('the claim', () => tasks.act(started.asked, { action: 'claim', taskId, actor }));
    const view = await untilAdmitted('the question to the applicant', () =>
      tasks.act(started.asked, {
        action: 'ask',
        taskId,
        actor,
        kind: 'question',
        text: 'Seit wann nutzen Sie den Wagen?',
      }),
    );
    await untilAdmitted('the reply', () =>
      tasks.reply(started.asked, {
        questionId: view.openQuestion!.questionId,
        subject: asked.identity.subject,
        answer: 'Seit März.',
      }),
    );
    await untilAdmitted('the decision', () =>
      tasks.act(started.asked, {
        action: 'complete',
        taskId,
        actor,
        outcome: 'approve',
        justification: 'Dienstwagen belegt.',
      }),
    );

    timeline.push(`${Math.round((Date.now() - t0) / 100) / 10} s: the escalated case approved`);
    // The hearing's task, decided under four eyes once the statement period passed.
    const hearingTask = `${started.heard}:hearing`;
    await waitFor(async () => tasks.find(hearingTask), { timeoutMs: 180_000, what: 'the hearing task' });
    const heardBy = (id: string): StaffActor => ({
      id,
      role: 'case_worker',
      authorityId: submissions.heard.s.authorityId,
    });
    for (const actor of [heardBy('sb.kill'), heardBy('sb.kill2')]) {
      if (actor.id === 'sb.kill2')
        await waitFor(
          async () => (await cases.status(started.heard).catch(() => undefined))?.task?.stage === 'second_approval',
          {
            timeoutMs: 120_000,
            what: 'the proposal awaiting a second case worker',
          },
        );
      await untilAdmitted('the hearing task claimed', () =>
        tasks.act(started.heard, { action: 'claim', taskId: hearingTask, actor }),
      );
      await untilAdmitted('the hearing task decided', () =>
        tasks.act(started.heard, {
          action: 'complete',
          taskId: hearingTask,
          actor,
          outcome: 'reject',
          justification: 'Keine Stellungnahme; der Wohnsitz fehlt.',
        }),
      );
    }
    // The fiction's period extended once (the letter to the applicant); it then passes with no decision.
    await waitFor(
      async () => (await cases.status(started.fiction).catch(() => undefined))?.status === 'awaiting_case_worker',
      { timeoutMs: 180_000, what: 'the fiction case to wait for a case worker' },
    );
    await untilAdmitted('the extension', () =>
      cases.extendFiction(started.fiction, {
        by: 'sb.kill',
        reason: 'Ein Gutachten zur Stellplatzlage ist einzuholen.',
        period: { months: 1 },
      }),
    );
    await waitFor(
      async () => (await cases.status(started.withdrawn).catch(() => undefined))?.status === 'awaiting_case_worker',
      { timeoutMs: 180_000, what: 'the case to be withdrawn to wait for a case worker' },
    );
    await untilAdmitted('the withdrawal', () =>
      cases.withdraw(started.withdrawn, { subject: submissions.withdrawn.s.identity.subject, reason: 'Erledigt.' }),
    );
    const outcomes = Object.fromEntries(
      await Promise.all(
        Object.entries(started).map(async ([name, caseId]) => [name, (await cases.ending(caseId)).outcome] as const),
      ),
    );
    timeline.push(`${Math.round((Date.now() - t0) / 100) / 10} s: every case closed`);
    expect((await questions.result(started.asked, questionId)).status).toBe('delivered');
    paying = false;
    await payer;
    expect(outcomes).toEqual(Object.fromEntries(Object.entries(submissions).map(([n, { outcome }]) => [n, outcome])));

    // Only the kills this test makes end a worker.
    expect(unexpectedExits).toEqual([]);
    // Exactly once: per idempotency key and per case and purpose (whatever the key or the document bytes) at every
    // stand-in, per case and purpose in the tables.
    expect(duplicateEffects(ledgers)).toEqual([]);
    expect(await duplicatesInTables(db, caseIds)).toEqual([]);
    const kills = () => readdirSync(marks).map((f) => JSON.parse(readFileSync(join(marks, f), 'utf8')) as KillMark);
    const caseOf = (a: string) =>
      kills()
        .find((k) => k.activity === a)!
        .workflowId.split(':')[1]!;
    const effectsAt = (l: Ledger, prefix: string) => [...l.effects].filter(([key]) => key.startsWith(prefix));
    const once = (l: Ledger, key: string) => expect(l.effects.get(key), key).toBe(1);
    once(ledgers['payments']!, effectKey(caseOf('openFeePayment'), 'fee'));
    once(ledgers['payments']!, effectKey(caseOf('refundFee'), 'refund'));
    once(ledgers['payments']!, effectKey(caseOf('payOut'), 'payout'));
    once(ledgers['postbox']!, effectKey(caseOf('deliverToApplicant'), 'deliver-bescheid'));
    once(ledgers['postbox']!, effectKey(caseOf('sendEvidenceRequest'), 'evidence_request'));
    // The question to the applicant is a local activity: the workflow task it ran in is retried on the other worker,
    // which reaches the postbox again under the same key.
    const questionKeys = effectsAt(ledgers['postbox']!, effectKey(caseOf('askApplicant'), 'question:'));
    expect(questionKeys).toEqual([[expect.any(String), 1]]);
    expect(ledgers['postbox']!.received.get(questionKeys[0]![0])).toBeGreaterThanOrEqual(2);
    expect(effectsAt(ledgers['postbox']!, effectKey(caseOf('deliverConfirmedAnswer'), `answer:${questionId}`))).toEqual(
      [[effectKey(started.asked, `answer:${questionId}`), 1]],
    );
    expect(await listAnswers(db, { caseId: started.asked })).toHaveLength(1);
    // Status messages are local activities too: the killed one reached the postbox again and was taken once.
    const statusKeys = effectsAt(ledgers['postbox']!, effectKey(caseOf('sendStatusMessage'), 'status:'));
    expect(statusKeys.length).toBeGreaterThan(0);
    expect(statusKeys.every(([, n]) => n === 1)).toBe(true);
    expect(statusKeys.some(([key]) => (ledgers['postbox']!.received.get(key) ?? 0) >= 2)).toBe(true);
    const forwarded = effectsAt(ledgers['forwarding']!, effectKey(caseOf('forwardCase'), 'forward:'));
    expect(forwarded.length).toBeGreaterThan(0);
    expect(forwarded.every(([, n]) => n === 1)).toBe(true);
    // Register retrievals: every key answered once at the register (no key twice, checked above for every ledger),
    // and none of the killed case's twice. Which retrieval is killed first varies with the machine's load, and the
    // Gewerbeanmeldung's and the cargo-bike grant's registers are in-process stand-ins without a ledger.
    const retrieved = effectsAt(ledgers['registers']!, effectKey(caseOf('fetchEvidence'), 'evidence:'));
    expect(total(ledgers['registers']!.effects)).toBeGreaterThan(0);
    expect(retrieved.every(([, n]) => n === 1)).toBe(true);

    // The cancellation: the transaction is cancelled and the case says so once.
    const cancelledCase = caseOf('cancelFeePayment');
    expect(cancelledCase).toBe(started.cancelled);
    const [fee] = await db.execute<{ status: string; provider_transaction_id: string }>(
      sql`select status, provider_transaction_id from payments where case_id = ${cancelledCase} and kind = 'fee'`,
    );
    expect(fee!.status).toBe('cancelled');
    expect(cancelled.get(fee!.provider_transaction_id)).toBeGreaterThanOrEqual(1);
    const events = async (caseId: string) => (await listCaseEvents(db, { caseId })).map((e) => e.type);
    expect((await events(cancelledCase)).filter((t) => t === 'fee.cancelled')).toHaveLength(1);

    // One row per effect in the tables (a Bescheid provided again is a delivery of its own, under its own subject), one
    // sealed Bescheid and one archive package per case.
    const repeated = await db.execute<{ case_id: string; what: string }>(sql`
      select case_id, kind as what from payments group by case_id, kind having count(*) > 1
      union all select case_id, document_sha256 from deliveries group by case_id, document_sha256, subject
        having count(*) > 1
      union all select case_id, 'seal' from seals group by case_id having count(*) > 1`);
    expect(repeated.filter((r) => caseIds.has(r.case_id))).toEqual([]);
    const [sealed] = await db.execute<{ n: string }>(
      sql`select count(*) as n from seals where case_id = ${caseOf('issueBescheid')}`,
    );
    expect(Number(sealed!.n)).toBe(1);
    const packages = await db.execute<{ bytes: Buffer }>(
      sql`select bytes from blobs where key like 'archive/packages/%'`,
    );
    const archivedCase = caseOf('archiveCase');
    const ofCase = packages.filter(
      (p) =>
        (JSON.parse(Buffer.from(p.bytes).toString('utf8')) as { Akte: { Kennung?: string } }).Akte.Kennung ===
        archivedCase,
    );
    expect(ofCase).toHaveLength(1);
    once(ledgers['postbox']!, effectKey(started.withdrawn, 'withdrawal-confirmation'));

    // After the decision: the cargo-bike grant's applicant objects, and the authority remedies with a further pay-out
    // (the Abhilfebescheid sealed, delivered, the pay-out made); the rejected parking permit's applicant objects, and
    // the remedy asks the fee paid back on the rejection again. Each effect once under the kills; the closed cases'
    // Akten and tables are all the procedures need.
    const objections = new ObjectionClient(client, db, taskQueue);
    const remedy = async (caseId: string, subject: string, payoutCents?: number) => {
      await objections.file({ caseId, subject, reasons: 'Der Bescheid ist zu ändern.', attachments: [] });
      await untilAdmitted('the Abhilfe', () =>
        objections.decide(caseId, {
          stage: 'abhilfe',
          by: 'sb.kill',
          outcome: 'remedy',
          reasons: ['Dem Widerspruch wird abgeholfen.'],
          ...(payoutCents && { payoutCents }),
        }),
      );
      expect((await objections.result(caseId)).stage).toBe('remedied');
    };
    await Promise.all([
      remedy(started.paidOut, submissions.paidOut.s.identity.subject, 5_000),
      remedy(started.refunded, submissions.refunded.s.identity.subject),
    ]);
    timeline.push(`${Math.round((Date.now() - t0) / 100) / 10} s: the objections remedied`);
    once(ledgers['payments']!, effectKey(started.refunded, 'fee-after-remedy'));

    // Correcting decisions under four eyes: the grant revoked for the past with its pay-out reclaimed, the approved
    // permit withdrawn with its fee refunded; each Bescheid sealed and delivered once.
    const corrections = new CorrectionClient(client, db, taskQueue);
    const correct = async (caseId: string, proposal: CorrectionProposal) => {
      const authorityId = (await cases.view(caseId))!.authorityId;
      await corrections.propose(caseId, proposal, { id: 'sb.kill', authorityId });
      await untilAdmitted('the confirmation', () => corrections.confirm(caseId, { by: 'sl.kill', approve: true }));
      expect((await corrections.result(caseId)).stage).toBe('issued');
    };
    const paid = async (caseId: string, kind: string) =>
      (await listPayments(db, { caseId })).find(
        (p) => p.kind === kind && p.idempotencyKey === effectKey(caseId, kind),
      )!;
    await Promise.all([
      correct(started.paidOut, {
        kind: 'widerruf',
        effect: 'ex_tunc',
        reasons: ['Das Lastenrad wurde weiterverkauft.'],
        reclaimCents: (await paid(started.paidOut, 'payout')).amountCents,
      }),
      correct(started.approved, {
        kind: 'ruecknahme',
        effect: 'ex_tunc',
        reasons: ['Die Wohnung liegt außerhalb der Zone.'],
        refundFeeCents: (await paid(started.approved, 'fee')).amountCents,
      }),
    ]);
    timeline.push(`${Math.round((Date.now() - t0) / 100) / 10} s: the corrections issued`);
    once(ledgers['payments']!, effectKey(started.paidOut, 'correction-reclaim'));
    once(ledgers['payments']!, effectKey(started.approved, 'correction-refund'));
    once(ledgers['postbox']!, effectKey(started.paidOut, 'correction-bescheid'));
    // The heard case's Bekanntgabe: provided again once, then the task for another way.
    expect(await client.workflow.getHandle(bekanntgabeWorkflowId(started.heard)).result()).toMatchObject({
      status: 'not_retrieved',
    });
    once(ledgers['postbox']!, effectKey(started.heard, 'bekanntgabe-provision-2'));
    once(ledgers['postbox']!, effectKey(started.heard, 'hearing-letter'));
    once(ledgers['postbox']!, effectKey(started.fiction, 'fiction-certificate'));
    once(ledgers['postbox']!, effectKey(started.fiction, 'fiction-extension'));
    once(ledgers['postbox']!, effectKey(started.paidOut, 'abhilfebescheid'));
    once(ledgers['payments']!, effectKey(started.paidOut, 'payout-after-remedy'));
    expect(duplicateEffects(ledgers)).toEqual([]);
    expect(await duplicatesInTables(db, caseIds)).toEqual([]);
    const [objectionSeals] = await db.execute<{ n: string }>(
      sql`select count(*) as n from seals where case_id = ${started.paidOut}`,
    );
    expect(Number(objectionSeals!.n)).toBe(3);

    // Every side-effecting activity killed its worker once, after its effect; the retry ran on a later attempt.
    const killMarks = kills();
    expect(killMarks.map((k) => k.activity).sort()).toEqual([...SIDE_EFFECTING_ACTIVITIES].sort());
    expect(killed).toBeGreaterThanOrEqual(SIDE_EFFECTING_ACTIVITIES.length);
    for (const k of killMarks.filter((k) => !k.isLocal)) {
      const history = await client.workflow.getHandle(k.workflowId).fetchHistory();
      const scheduled = new Set(
        history
          .events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === k.activity)
          .map((e) => String(e.eventId)),
      );
      const attempts = history.events!.filter(
        (e) =>
          e.activityTaskStartedEventAttributes &&
          scheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)),
      );
      expect(
        attempts.some((e) => (e.activityTaskStartedEventAttributes!.attempt ?? 0) > k.attempt),
        `${k.activity} ran again after the kill`,
      ).toBe(true);
    }
  });
});

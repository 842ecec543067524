import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPaymentProvider } from '../adapters/payments-http.js';
import { createFeeActivities } from '../activities/fees.js';
import type { PaymentProvider, PaymentsDeps } from '../adapters/payments.js';
import { exportHkrBookings } from '../adapters/hkr-export.js';
import { CaseClient } from '../client/case-client.js';
import { caseWorkflowId, effectKey } from '../workflows/contracts/ids.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listHkrBookings } from '../db/queries/hkr-bookings.js';
import { findPayment, listPayments } from '../db/queries/payments.js';
import { startPaymentSandbox, type PaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { signedWebhookHeaders } from '../dev/stand-ins/payments/webhook-signing.js';
import { client, db, testApi, testDeps, withWorker, workerOn } from './harness.js';
import { staffToken } from './http-helpers.js';
import { eventually } from './support/wait.js';
import { IntakeRefusedError } from '../client/intake-refused.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { applicationOf } from './samples.js';
import { createCaseEngineClient } from '../client/http/index.js';
import { waitFor as poll } from './support/wait.js';

const SECRET = `whsec_${Buffer.from('payments-test-secret').toString('base64')}`;

let manual: PaymentSandbox;
let autoPay: PaymentSandbox;
let api: Awaited<ReturnType<typeof testApi>>;
let webhookUrl: string;

beforeAll(async () => {
  api = await testApi(new CaseClient(client, db), { payments: { db, webhookSecret: SECRET } });
  await api.listen({ host: '127.0.0.1', port: 0 });
  webhookUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/payments/webhook`;
  [manual, autoPay] = await Promise.all([
    startPaymentSandbox({ port: 0, webhookSecret: SECRET, outcome: 'manual', delayMs: 0 }),
    startPaymentSandbox({ port: 0, webhookSecret: SECRET, outcome: 'paid', delayMs: 0, webhooks: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([manual?.close(), autoPay?.close(), api?.close()]);
});

const via = (
  sandbox: PaymentSandbox,
  provider: PaymentProvider = new HttpPaymentProvider(sandbox.url),
): { payments: PaymentsDeps } => ({
  payments: { provider, portalUrl: 'http://portal.example', notifyUrl: webhookUrl },
});

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> =>
  poll(probe, { what, timeoutMs });

const openFee = (caseId: string) =>
  until('the fee transaction', async () => {
    const p = await findPayment(db, { idempotencyKey: effectKey(caseId, 'fee') });
    return p?.paymentPageUrl ? p : undefined;
  });

const signals = async (caseId: string) =>
  (await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory()).events?.filter(
    (e) => e.workflowExecutionSignaledEventAttributes,
  ).length ?? 0;

const eventTypes = async (caseId: string) => (await listCaseEvents(db, { caseId })).map((e) => e.type);

describe('fees, refunds and pay-outs through the payment sandbox', () => {
  it('keeps the fee activities’ names: workflow histories schedule them by name', () => {
    expect(Object.keys(createFeeActivities(testDeps())).sort()).toEqual([
      'cancelFeePayment',
      'checkFeePayment',
      'openFeePayment',
      'payOut',
      'refundFee',
      'remindFeePayment',
      'requestFeePayment',
    ]);
  });

  it('waits for a fee in advance, resumes on the signed webhook when the applicant pays on the page, and books it', async () => {
    await withWorker(async ({ cases }) => {
      // Polling only every minute: a case that closes within seconds was woken by the webhook.
      const { caseId } = await cases.submit({
        ...applicationOf('resident'),
        deadlines: { paymentPollMs: 60_000, feeReminderMs: 120_000, feePaymentMs: 180_000 },
      });
      const fee = await openFee(caseId);
      // The payment row lands before the workflow has taken the activity's result: wait for the case to show it.
      expect(
        await until('the fee on the case', async () =>
          (await cases.status(caseId)).payment ? cases.status(caseId) : undefined,
        ),
      ).toMatchObject({
        status: 'collecting_fee',
        payment: { status: 'open', amountCents: 3060, currency: 'EUR', paymentPageUrl: fee.paymentPageUrl },
      });
      const page = await fetch(fee.paymentPageUrl!);
      expect(await page.text()).toContain('30,60 EUR');

      const paidAt = Date.now();
      const paid = await fetch(fee.paymentPageUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'outcome=paid',
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`http://portal.example/cases/${caseId}`);
      const result = await cases.result(caseId);
      console.log(`fee in advance: paid to case closed in ${Date.now() - paidAt} ms via webhook`);

      expect(result.outcome).toBe('approved');
      expect((await cases.status(caseId)).payment).toMatchObject({ status: 'paid' });
      expect(await signals(caseId)).toBe(1);
      const [payment] = await listPayments(db, { caseId });
      expect(payment).toMatchObject({
        kind: 'fee',
        status: 'paid',
        amountCents: 3060,
        currency: 'EUR',
        reference: expect.stringMatching(/^KZ-\d{12}$/),
      });
      expect(await listHkrBookings(db, { caseId })).toEqual([
        expect.objectContaining({
          kind: 'fee',
          direction: 'in',
          amountCents: 3060,
          transactionReference: payment!.reference,
          providerTransactionId: payment!.providerTransactionId,
        }),
      ]);
      const types = await eventTypes(caseId);
      expect(types.indexOf('fee.paid')).toBeLessThan(types.indexOf('decision.started'));
    }, via(manual));
  });

  it('reminds an applicant who abandoned the payment, then cancels the case and the transaction at the deadline', async () => {
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit({
        ...applicationOf('resident', 1),
        deadlines: { paymentPollMs: 500, feeReminderMs: 1_000, feePaymentMs: 2_500 },
      });
      const fee = await openFee(caseId);
      const abandoned = await fetch(fee.paymentPageUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'abandoned' }),
      });
      expect(await abandoned.json()).toMatchObject({ status: 'abandoned' });

      const result = await cases.result(caseId);
      expect(result.outcome).toBe('refused');
      expect(result.decision).toBeUndefined();
      const types = await eventTypes(caseId);
      expect(types).toEqual(expect.arrayContaining(['fee.payment_opened', 'fee.reminder_sent', 'fee.cancelled']));
      expect(types).not.toContain('decision.started');
      expect(await new HttpPaymentProvider(manual.url).getTransaction(fee.providerTransactionId)).toMatchObject({
        status: 'cancelled',
      });
      expect(await findPayment(db, { idempotencyKey: effectKey(caseId, 'fee') })).toMatchObject({
        status: 'cancelled',
        reference: null,
      });
      expect(await listHkrBookings(db, { caseId })).toEqual([]);
      // The reminder and the notice of cancellation, each once.
      expect(await listDeliveries(db, { caseId })).toHaveLength(2);
      const lateRetry = await fetch(fee.paymentPageUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'paid' }),
      });
      expect(lateRetry.status).toBe(409);
    }, via(manual));
  });

  it('invoices a fee after the decision and, with no webhook at all, finds the payment by polling', async () => {
    const silent = await startPaymentSandbox({
      port: 0,
      webhookSecret: SECRET,
      outcome: 'paid',
      delayMs: 1_000,
      webhooks: false,
    });
    try {
      await withWorker(async ({ cases }) => {
        // A notifiable business registration: the fee (26 EUR by the rules) is due after approval.
        const { caseId } = await cases.submit({
          ...gewerbeApplication('retail', 7),
          deadlines: { paymentPollMs: 400, feeReminderMs: 60_000, feePaymentMs: 120_000 },
        });
        const result = await cases.result(caseId);
        expect(result.outcome).toBe('approved');
        const types = await eventTypes(caseId);
        expect(types.indexOf('decision.started')).toBeLessThan(types.indexOf('fee.payment_opened'));
        expect(types.indexOf('fee.paid')).toBeLessThan(types.indexOf('bescheid.rendering'));
        expect(await signals(caseId)).toBe(0);
        expect(silent.webhooksSent).toBe(0);
        const [payment] = await listPayments(db, { caseId });
        expect(payment).toMatchObject({ kind: 'fee', status: 'paid', amountCents: 2600 });
        expect(await listHkrBookings(db, { caseId })).toEqual([
          expect.objectContaining({ direction: 'in', amountCents: 2600, transactionReference: payment!.reference }),
        ]);
      }, via(silent));
    } finally {
      await silent.close();
    }
  });

  it('pays a grant out exactly once although the worker dies between the provider call and its recording', async () => {
    const taskQueue = `test-${randomUUID()}`;
    const real = new HttpPaymentProvider(autoPay.url);
    let firstPayoutId: string | undefined;
    const crashing: PaymentProvider = Object.assign(Object.create(real) as PaymentProvider, {
      async payout(r: Parameters<PaymentProvider['payout']>[0]) {
        firstPayoutId = (await real.payout(r)).payoutId;
        dying.shutdown();
        throw new Error('worker killed after the provider accepted the pay-out');
      },
    });
    const dying = await workerOn(taskQueue, testDeps(via(autoPay, crashing)));
    const cases = new CaseClient(client, db, taskQueue);
    // A cargo-bike grant: the rules approve half the price, capped at 1,000 EUR, paid to the applicant's IBAN.
    const submission = lastenradApplication('eligible', 8);
    const { caseId } = await cases.submit(submission);
    await dying.run();
    expect(firstPayoutId).toBeDefined();
    expect(await listPayments(db, { caseId })).toEqual([]);

    const survivor = await workerOn(taskQueue, testDeps(via(autoPay)));
    const result = await survivor.runUntil(cases.result(caseId));
    expect(result.outcome).toBe('approved');
    const atProvider = autoPay.payouts.filter((p) => p.idempotencyKey === effectKey(caseId, 'payout'));
    expect(atProvider).toEqual([expect.objectContaining({ id: firstPayoutId, amountCents: 100_000 })]);
    expect(await listPayments(db, { caseId })).toEqual([
      expect.objectContaining({
        kind: 'payout',
        status: 'paid_out',
        providerTransactionId: firstPayoutId,
        amountCents: 100_000,
      }),
    ]);
    expect(await listHkrBookings(db, { caseId })).toEqual([
      expect.objectContaining({ kind: 'payout', direction: 'out', amountCents: 100_000 }),
    ]);
    expect((await eventTypes(caseId)).filter((t) => t === 'payout.executed')).toHaveLength(1);

    // A mistyped IBAN (wrong check digits) never reaches the provider: intake refuses it and starts no case.
    const mistyped = { ...submission, application: { ...submission.application, iban: 'DE89370400440532013001' } };
    const refused = await cases.submit(mistyped).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(IntakeRefusedError);
    expect((refused as IntakeRefusedError).errors.map((e) => e.pointer)).toContain('/iban');
    expect(autoPay.payouts).toHaveLength(atProvider.length);
  });

  it('refuses unsigned, forged, stale and replayed webhooks: none of them reaches the case', async () => {
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit({
        ...applicationOf('resident', 2),
        deadlines: { paymentPollMs: 60_000, feeReminderMs: 120_000, feePaymentMs: 180_000 },
      });
      const fee = await openFee(caseId);
      const body = JSON.stringify({
        type: 'transaction.updated',
        transactionId: fee.providerTransactionId,
        status: 'paid',
        reference: 'KZ-000000000000',
      });
      const post = (headers: Record<string, string>, b = body) =>
        fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b });

      expect((await post({})).status).toBe(401);
      const forgedSecret = `whsec_${Buffer.from('guessed').toString('base64')}`;
      expect((await post(signedWebhookHeaders(forgedSecret, body))).status).toBe(401);
      const genuine = signedWebhookHeaders(SECRET, body);
      expect((await post(genuine, body.replace('"paid"', '"failed"'))).status).toBe(401);
      expect((await post(signedWebhookHeaders(SECRET, body, new Date(Date.now() - 10 * 60_000)))).status).toBe(401);
      expect(await signals(caseId)).toBe(0);

      expect((await post(genuine)).status).toBe(204);
      const replay = await post(genuine);
      expect(replay.status).toBe(409);
      expect(replay.headers.get('content-type')).toContain('application/problem+json');
      // A signal that arrives during a workflow task enters the history when that task completes.
      await eventually(
        async () => ((await signals(caseId)) > 0 ? true : undefined),
        'the genuine webhook in the history',
      );
      expect(await signals(caseId)).toBe(1);
      // The case asked the provider and believed it, not the webhook: still unpaid.
      expect((await cases.status(caseId)).status).toBe('collecting_fee');
      expect(await findPayment(db, { idempotencyKey: effectKey(caseId, 'fee') })).toMatchObject({
        status: 'open',
        reference: null,
      });
      await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
    }, via(manual));
  });

  it('refunds the advance fee on rejection, and the HKR export in CSV and JSON matches the payments', async () => {
    const from = new Date();
    await withWorker(async ({ cases }) => {
      const ids = await Promise.all(
        (['other_zone', 'resident'] as const).map(async (k) => (await cases.submit(applicationOf(k, 3))).caseId),
      );
      const [rejected, approved] = await Promise.all(ids.map((id) => cases.result(id)));
      expect(rejected!.outcome).toBe('rejected');
      expect(approved!.outcome).toBe('approved');

      const refundedPayments = await listPayments(db, { caseId: rejected!.caseId });
      expect(refundedPayments).toEqual([
        expect.objectContaining({ kind: 'fee', status: 'refunded', amountCents: 3060 }),
        expect.objectContaining({
          kind: 'refund',
          status: 'refunded',
          amountCents: 3060,
          reference: expect.stringMatching(/^KZ-/),
        }),
      ]);
      expect(autoPay.refunds.filter((r) => r.idempotencyKey === effectKey(rejected!.caseId, 'refund'))).toHaveLength(1);
      expect(await eventTypes(rejected!.caseId)).toContain('fee.refunded');

      const settled = (await Promise.all(ids.map((caseId) => listPayments(db, { caseId })))).flat();
      const expected = settled
        .map((p) => ({
          caseId: p.caseId,
          kind: p.kind,
          direction: p.kind === 'fee' ? 'in' : 'out',
          amountCents: p.amountCents,
          transactionReference: p.reference,
        }))
        .sort((a, b) => `${a.caseId}${a.kind}`.localeCompare(`${b.caseId}${b.kind}`));
      const pick = (rows: Array<Record<string, unknown>>) =>
        rows
          .filter((r) => ids.includes(String(r['caseId'])))
          .map((r) => ({
            caseId: r['caseId'],
            kind: r['kind'],
            direction: r['direction'],
            amountCents: Number(r['amountCents']),
            transactionReference: r['transactionReference'],
          }))
          .sort((a, b) => `${a.caseId}${a.kind}`.localeCompare(`${b.caseId}${b.kind}`));

      // Over HTTP (the generated client, as the budget office's tooling would call it) the export is for the budget
      // office, of its own authority only; HEAD is refused like GET.
      const baseUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
      const as = async (token?: Promise<string>) =>
        createCaseEngineClient(baseUrl, token ? { token: await token } : {});
      const anonymous = await as();
      expect(
        (await anonymous.GET('/payments/bookings', { params: { query: { format: 'json' } } })).response.status,
      ).toBe(401);
      expect((await fetch(`${baseUrl}/payments/bookings?format=json`, { method: 'HEAD' })).status).toBe(401);
      const worker = await as(staffToken('sb.anna', 'stadt-musterstadt'));
      expect((await worker.GET('/payments/bookings', { params: { query: { format: 'json' } } })).response.status).toBe(
        403,
      );
      const kasse = await as(staffToken('sb.kasse', 'stadt-musterstadt', 'budget_office'));
      const dorf = await as(staffToken('sb.kasse', 'gemeinde-beispieldorf', 'budget_office'));
      type Query = { to?: string; limit?: number; offset?: number };
      const exported = async (office: typeof kasse, query: Query = {}) => {
        const r = await office.GET('/payments/bookings', {
          params: { query: { format: 'json', from: from.toISOString(), ...query } },
        });
        return r.data as { bookings: Array<Record<string, unknown>> };
      };
      expect(pick((await exported(kasse)).bookings)).toEqual(expected);
      expect(pick((await exported(dorf)).bookings)).toEqual([]);
      expect((await exported(kasse)).bookings.every((b) => b['authorityId'] === 'stadt-musterstadt')).toBe(true);
      const to = new Date().toISOString();
      const pages: Array<Record<string, unknown>> = [];
      for (
        let page = await exported(kasse, { to, limit: 2 });
        page.bookings.length;
        page = await exported(kasse, { to, limit: 2, offset: pages.length })
      ) {
        expect(page.bookings.length).toBeLessThanOrEqual(2);
        pages.push(...page.bookings);
      }
      expect(pick(pages)).toEqual(pick((await exported(kasse, { to })).bookings));
      const badRange = await kasse.GET('/payments/bookings', {
        params: { query: { from: from.toISOString(), to: from.toISOString() } },
      });
      expect(badRange.response.status).toBe(400);
      const json = JSON.parse(await exportHkrBookings(db, { format: 'json', from })) as {
        format: string;
        bookings: Array<Record<string, unknown>>;
      };
      expect(json.format).toBe('ozg-hkr-bookings/1');
      expect(pick(json.bookings)).toEqual(expected);

      const [header, ...lines] = (await exportHkrBookings(db, { format: 'csv', from })).trim().split('\n');
      const columns = header!.split(',');
      const csv = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v])));
      expect(pick(csv)).toEqual(expected);
      expect(expected).toHaveLength(3);
    }, via(autoPay));
  });
});

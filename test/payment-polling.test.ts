import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPaymentProvider } from '../adapters/payments-http.js';
import type { PaymentProvider } from '../adapters/payments.js';
import { CaseClient } from '../client/case-client.js';
import { DEFAULT_DEADLINES } from '../workflows/contracts/case.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { startPaymentSandbox, type PaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { pollDelayMs, pollsWithin } from '../workflows/payment-polling.js';
import { client, db, testApi, withWorker } from './harness.js';
import { applicationOf } from './samples.js';

const SECRET = `whsec_${Buffer.from('payment-polling-secret').toString('base64')}`;

describe('payment polling backs off', () => {
  it('asks at most 22 times in a 14-day wait first polled after 15 minutes, from minutes to hours', () => {
    const { paymentPollMs, feePaymentMs } = DEFAULT_DEADLINES;
    expect(pollsWithin(paymentPollMs, feePaymentMs)).toBeLessThanOrEqual(22);
    expect(pollDelayMs(0, paymentPollMs, feePaymentMs)).toBe(15 * 60_000);
    expect(pollDelayMs(4, paymentPollMs, feePaymentMs)).toBe(4 * 3600_000);
    expect(pollDelayMs(100, paymentPollMs, feePaymentMs)).toBe(feePaymentMs / 16);
  });
});

describe('an unpaid fee on a provider that never sends a webhook', () => {
  let silent: PaymentSandbox;
  let api: Awaited<ReturnType<typeof testApi>>;
  beforeAll(async () => {
    api = await testApi(new CaseClient(client, db), { payments: { db, webhookSecret: SECRET } });
    await api.listen({ host: '127.0.0.1', port: 0 });
    silent = await startPaymentSandbox({
      port: 0,
      webhookSecret: SECRET,
      outcome: 'manual',
      delayMs: 0,
      webhooks: false,
    });
  });
  afterAll(async () => Promise.all([silent?.close(), api?.close()]));

  it('makes at most 30 provider calls over the whole wait, scaled down, and still reminds and cancels on time', async () => {
    const calls: string[] = [];
    const real = new HttpPaymentProvider(silent.url);
    // Every provider call counted, whatever the method.
    const counting = new Proxy(real, {
      get: (target, name, receiver) => {
        const v = Reflect.get(target, name, receiver) as unknown;
        return typeof v === 'function'
          ? (...args: unknown[]) => (calls.push(String(name)), (v as (...a: unknown[]) => unknown).apply(target, args))
          : v;
      },
    }) as PaymentProvider;
    const notifyUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/payments/webhook`;
    // 14 days as 8 seconds, the first poll after 15 minutes as the same fraction of it; the reminder at half time.
    const feePaymentMs = 8_000;
    const deadlines = {
      feePaymentMs,
      feeReminderMs: feePaymentMs / 2,
      paymentPollMs: Math.round((feePaymentMs * DEFAULT_DEADLINES.paymentPollMs) / DEFAULT_DEADLINES.feePaymentMs),
    };
    await withWorker(
      async ({ cases }) => {
        const { caseId } = await cases.submit({ ...applicationOf('resident', 5), deadlines });
        const result = await cases.result(caseId);
        expect(result.outcome).toBe('refused');
        const events = await listCaseEvents(db, { caseId });
        const at = (type: string) => events.find((e) => e.type === type)?.at.getTime() ?? NaN;
        const opened = at('fee.payment_opened');
        // Event times are workflow times: never early, and on a busy machine within a few seconds.
        expect(at('fee.reminder_sent') - opened).toBeGreaterThanOrEqual(deadlines.feeReminderMs - 50);
        expect(at('fee.reminder_sent') - opened).toBeLessThan(feePaymentMs);
        expect(at('fee.cancelled') - opened).toBeGreaterThanOrEqual(feePaymentMs - 50);
        expect(at('fee.cancelled') - opened).toBeLessThan(feePaymentMs + 5_000);
        console.log(
          `unpaid fee, 14 days scaled to ${feePaymentMs} ms: ${calls.length} provider calls (${calls.join(', ')})`,
        );
        expect(calls.length).toBeLessThanOrEqual(30);
        expect(calls.filter((c) => c === 'getTransaction').length).toBeGreaterThanOrEqual(5);
      },
      { payments: { provider: counting, portalUrl: 'http://portal.example', notifyUrl } },
    );
  });
});

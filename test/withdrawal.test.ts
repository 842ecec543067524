import { describe, expect, it } from 'vitest';
import { verifyEventChain } from '../db/event-chain.js';
import { listAkteDocuments } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listPayments } from '../db/queries/payments.js';
import { listTasksOfCase } from '../db/queries/tasks.js';
import { registerService, sampleServices } from '../services/catalogue.js';
import { WITHDRAWAL_TOO_LATE } from '../workflows/contracts/case.js';
import { HttpPaymentProvider } from '../adapters/payments-http.js';
import { findPayment } from '../db/queries/payments.js';
import { startPaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { db, httpApiFor, withWorker } from './harness.js';
import { applicantToken, call } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { waitFor, waitForStatus } from './support/wait.js';
import { withdrawalRefusalOf } from '../workflows/withdrawal.js';
import type { CaseState } from '../workflows/contracts/case.js';

// The same service with a fee that is paid back on withdrawal (`fee.refundOn: ['withdrawn']`).
const REFUNDING_KEY = '99000000000025';
registerService({
  ...sampleServices.anwohnerparken,
  key: REFUNDING_KEY,
  fee: { ...sampleServices.anwohnerparken.fee, refundOn: ['rejected', 'withdrawn'] },
});

// A company car goes to a case worker, after its fee was paid in advance: the case waits there for the withdrawal.
describe.concurrent('withdrawal of an application before the decision', () => {
  for (const refund of [false, true])
    it(`withdrawn while a case worker has it: ends as withdrawn, ${refund ? 'the fee is refunded' : 'the fee is kept (refundOn: rejected only)'}, the applicant gets a confirmation`, async () => {
      await withWorker(async (e) => {
        const submission = applicationOf('company_car', refund ? 3 : 4);
        if (refund) submission.serviceKey = REFUNDING_KEY;
        const { caseId } = await e.cases.submit(submission);
        await waitForStatus(e.cases, caseId, 'awaiting_case_worker');
        const api = await httpApiFor(e);
        const token = await applicantToken(submission.identity.subject);
        const stranger = await applicantToken('pseudonym-someone-else');

        expect((await call(api, 'POST', `/cases/${caseId}/withdrawal`, stranger, {})).status).toBe(404);
        const res = await call(api, 'POST', `/cases/${caseId}/withdrawal`, token, { reason: 'Ich bin umgezogen.' });
        expect(res.status, JSON.stringify(res.body)).toBe(202);

        const end = await e.cases.ending(caseId);
        expect(end).toMatchObject({ caseId, outcome: 'withdrawn' });
        await expect(e.cases.result(caseId)).rejects.toThrow(/withdrawn/);

        // The case row, the task inbox, the fee and the books.
        expect(await getCase(db, { caseId })).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
        expect((await listTasksOfCase(db, { caseId })).map((t) => t.state)).toEqual(['cancelled']);
        const payments = await listPayments(db, { caseId });
        if (refund) {
          expect(payments.map((p) => [p.kind, p.status]).sort()).toEqual([
            ['fee', 'refunded'],
            ['refund', 'refunded'],
          ]);
        } else {
          expect(payments.map((p) => [p.kind, p.status])).toEqual([['fee', 'paid']]);
        }

        // The declaration and the confirmation in the Akte, the confirmation in the postbox.
        const akte = await listAkteDocuments(db, { caseId });
        expect(akte.find((d) => d.kind === 'withdrawal')?.title).toMatch(/^Rücknahme des Antrags am /);
        expect(akte.find((d) => d.documentId === `${caseId}:withdrawal-confirmation`)).toMatchObject({
          kind: 'letter',
          title: 'Bestätigung der Rücknahme',
        });
        const confirmation = (await listDeliveries(db, { caseId })).find((d) => d.subject.startsWith('Bestätigung'));
        expect(confirmation?.subject).toContain('zurückgenommen');

        const events = await listCaseEvents(db, { caseId });
        const types = events.map((ev) => ev.type);
        expect(types).toContain('case.withdrawn');
        expect(types.includes('fee.refunded')).toBe(refund);
        expect(types.includes('bescheid.rendering')).toBe(false);
        expect(types.at(-1)).toBe('case.closed');
        expect(verifyEventChain(events)).toMatchObject({ valid: true });

        // The applicant's view says so; a second withdrawal is refused.
        const view = await call(api, 'GET', `/cases/${caseId}/milestones`, token);
        expect(view.body).toMatchObject({
          status: 'closed',
          outcome: 'withdrawn',
          withdrawal: { feeRefunded: refund },
        });
        // Withdrawn while in review: no decision, no Bescheid delivered.
        const milestones = (view.body as { milestones: Array<{ key: string; state: string; note?: string }> })
          .milestones;
        expect(milestones.find((m) => m.key === 'in_review')).toMatchObject({
          state: 'done',
          note: 'Sie haben Ihren Antrag zurückgenommen.',
        });
        expect(milestones.filter((m) => m.key === 'decided' || m.key === 'delivered').map((m) => m.state)).toEqual([
          'skipped',
          'skipped',
        ]);
        const again = await call(api, 'POST', `/cases/${caseId}/withdrawal`, token, {});
        expect(again.status).toBe(409);
        expect(JSON.stringify(again.body)).toContain(WITHDRAWAL_TOO_LATE);
        await api.close();
      });
    });

  it('withdrawn while the fee is still open: the transaction is cancelled at the provider, nothing is refunded', async () => {
    // A provider where nobody pays: the case waits for the fee.
    const sandbox = await startPaymentSandbox({
      port: 0,
      webhookSecret: 'withdrawal-test',
      outcome: 'manual',
      delayMs: 0,
      webhooks: false,
    });
    try {
      await withWorker(
        async (e) => {
          const submission = applicationOf('resident', 11);
          const { caseId } = await e.cases.submit(submission);
          await waitFor(async () => (await e.cases.status(caseId)).payment?.status === 'open', {
            what: 'the open fee',
          });
          await e.cases.withdraw(caseId, { subject: submission.identity.subject });
          expect(await e.cases.ending(caseId)).toMatchObject({ outcome: 'withdrawn' });
          const fee = await findPayment(db, { idempotencyKey: effectKey(caseId, 'fee') });
          expect(fee?.status).toBe('cancelled');
          const atProvider = await fetch(`${sandbox.url}/transactions/${fee!.providerTransactionId}`);
          expect(((await atProvider.json()) as { status: string }).status).toBe('cancelled');
          const types = (await listCaseEvents(db, { caseId })).map((ev) => ev.type);
          expect(types).toEqual(expect.arrayContaining(['case.withdrawn', 'fee.cancelled']));
          expect(types).not.toContain('fee.refunded');
        },
        { payments: { provider: new HttpPaymentProvider(sandbox.url), portalUrl: 'http://portal.invalid' } },
      );
    } finally {
      await sandbox.close();
    }
  });

  it('refused once the case has closed with its Bescheid', async () => {
    await withWorker(async (e) => {
      const submission = applicationOf('resident', 9);
      const { caseId } = await e.cases.submit(submission);
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
      const api = await httpApiFor(e);
      const res = await call(
        api,
        'POST',
        `/cases/${caseId}/withdrawal`,
        await applicantToken(submission.identity.subject),
        {},
      );
      expect(res.status).toBe(409);
      expect(JSON.stringify(res.body)).toContain(WITHDRAWAL_TOO_LATE);
      expect((await getCase(db, { caseId }))?.outcome).toBe('approved');
      await api.close();
    });
  });
});

describe('when the case refuses a withdrawal', () => {
  const state = (status: CaseState['status']): CaseState => ({
    caseId: 'c',
    serviceKey: 's',
    authorityId: 'a',
    status,
    applicantSubject: 'applicant',
    history: [],
  });
  it('only from its applicant, once, and before a pay-out or the Bescheid is under way', () => {
    const mine = { subject: 'applicant' };
    for (const s of ['received', 'fetching_evidence', 'awaiting_applicant', 'collecting_fee', 'deciding'] as const)
      expect(withdrawalRefusalOf(state(s), mine, false), s).toBe(undefined);
    for (const s of ['paying_out', 'issuing_bescheid', 'sealing', 'delivering', 'archiving', 'closed'] as const)
      expect(withdrawalRefusalOf(state(s), mine, false), s).toBe(WITHDRAWAL_TOO_LATE);
    expect(withdrawalRefusalOf(state('deciding'), { subject: 'someone-else' }, false)).toContain('Nur die');
    expect(withdrawalRefusalOf(state('deciding'), mine, true)).toContain('bereits');
  });
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCorrectionActivities } from '../activities/correction.js';
import type { SubmitApplication } from '../client/case-client.js';
import { verifyEventChain } from '../db/event-chain.js';
import { listAkteDocuments } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { findCorrection } from '../db/queries/corrections.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { listPayments } from '../db/queries/payments.js';
import { lastenradApplication } from '../dev/demo/sample-other-services.js';
import { addDays, berlinDate } from '../services/legal-time.js';
import type { CorrectionState } from '../workflows/contracts/correction.js';
import { correctionRefusalOf } from '../workflows/correction.js';
import { db, httpApiFor, type TestEngine, withWorker } from './harness.js';
import { applicantToken, call, staffToken } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';
import { testWorkbench } from './support/workbench.js';

/** A closed case with its Bescheid, the API, and the tokens of the applicant, a case worker and a supervisor. */
async function decidedCase(e: TestEngine, submission: SubmitApplication, outcome = 'approved') {
  const { caseId } = await e.cases.submit({ ...submission, idempotencyKey: randomUUID() });
  expect((await e.cases.result(caseId)).outcome).toBe(outcome);
  const { authorityId } = submission;
  return {
    caseId,
    api: await httpApiFor(e),
    applicant: await applicantToken(submission.identity.subject),
    caseWorker: await staffToken('sb.sara', authorityId),
    supervisor: await staffToken('sl.lena', authorityId, 'supervisor'),
  };
}

const SECRET = 'correction-test-session-secret-32chars';

/** The workbench over the test's worker, with sessions of Musterstadt's staff as their login would open them. */
async function workbenchOf(e: TestEngine) {
  const w = await testWorkbench(e, SECRET, { corrections: e.cases.corrections });
  const session = (id: string, role: 'case_worker' | 'supervisor') =>
    w.signIn({ id, role, authorityId: 'stadt-musterstadt', name: id });
  return { ...w, session };
}

/** All text of a sealed PDF as its structure tree holds it. */
const textOf = async (e: TestEngine, sha256: string) =>
  (await inspectPdf(await e.deps.documents.get(sha256))).structure.map((el) => el.text).join('\n');

describe.concurrent('correcting a decision (Rücknahme, Widerruf)', () => {
  it('Widerruf of a grant for the past: four eyes, a sealed Widerrufsbescheid that replaces the Bescheid, the pay-out reclaimed once', async () => {
    await withWorker(async (e) => {
      const { caseId, api, applicant, caseWorker, supervisor } = await decidedCase(
        e,
        lastenradApplication('eligible', 40),
      );
      const [payout] = await listPayments(db, { caseId });
      expect(payout).toMatchObject({ kind: 'payout', status: 'paid_out' });
      const proposal = {
        kind: 'widerruf',
        effect: 'ex_tunc',
        reasons: ['Das Lastenrad wurde entgegen dem Förderzweck innerhalb eines Jahres weiterverkauft.'],
        knownSince: berlinDate(new Date()),
      };
      const tooMuch = await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, {
        ...proposal,
        reclaimCents: payout!.amountCents + 1,
      });
      expect(tooMuch.status).toBe(409);
      expect(JSON.stringify(tooMuch.body)).toContain('höchstens der ausgezahlte Betrag');
      const proposed = await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, {
        ...proposal,
        reclaimCents: payout!.amountCents,
      });
      expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
      expect(proposed.body).toMatchObject({ caseId, kind: 'widerruf', stage: 'awaiting_confirmation' });
      // One correction at a time.
      expect((await call(api, 'POST', `/cases/${caseId}/correction`, supervisor, proposal)).status).toBe(409);

      // Four eyes: the person who proposed it cannot confirm it.
      const own = await call(api, 'POST', `/cases/${caseId}/correction/confirmation`, caseWorker, { approve: true });
      expect(own.status).toBe(409);
      expect(JSON.stringify(own.body)).toContain('Vier-Augen-Prinzip');
      const confirmed = await call(api, 'POST', `/cases/${caseId}/correction/confirmation`, supervisor, {
        approve: true,
      });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect(await e.cases.corrections.result(caseId)).toEqual({
        caseId,
        stage: 'issued',
        documentId: `${caseId}:correction-bescheid`,
      });
      expect(await findCorrection(db, { caseId })).toMatchObject({
        stage: 'issued',
        kind: 'widerruf',
        effect: 'ex_tunc',
        proposedBy: 'sb.sara',
        confirmedBy: 'sl.lena',
        reclaimCents: payout!.amountCents,
      });

      // Sealed, filed in place of the Bescheid, delivered to the applicant.
      const akte = await listAkteDocuments(db, { caseId });
      expect(akte.find((d) => d.kind === 'correction')?.title).toContain('Widerruf');
      const issued = akte.find((d) => d.documentId === `${caseId}:correction-bescheid`);
      expect(issued).toMatchObject({
        kind: 'correction_decision',
        replaces: `${caseId}:bescheid`,
        mediaType: 'application/pdf',
      });
      const text = await textOf(e, issued!.sha256);
      expect(text).toContain('Widerrufsbescheid');
      expect(text).toMatch(/mit Wirkung für die Vergangenheit\s+widerrufen/);
      expect(text).toContain('entgegen dem Förderzweck');
      expect(text).toContain('§ 49 Abs. 3 Satz 1 VwVfG');
      expect(text).toContain('§ 49a');
      expect(text).toMatch(/zu\s+erstatten und bis zum \d\d\.\d\d\.\d{4} zu zahlen/);
      expect(text).toContain('Widerspruch');
      expect((await listDeliveries(db, { caseId })).map((d) => d.subject)).toContainEqual(
        expect.stringMatching(/^Widerrufsbescheid: /),
      );

      // The reclaim: one payment request at the provider, however often the step runs.
      const reclaims = (await listPayments(db, { caseId })).filter((p) => p.kind === 'reclaim');
      expect(reclaims.map((p) => p.amountCents)).toEqual([payout!.amountCents]);
      const again = await createCorrectionActivities(e.deps).reclaimPayout({
        caseId,
        serviceKey: 'lastenrad-foerderung',
        authorityId: 'stadt-musterstadt',
        amountCents: payout!.amountCents,
      });
      expect(again.transactionId).toBe(reclaims[0]!.providerTransactionId);
      expect((await listPayments(db, { caseId })).filter((p) => p.kind === 'reclaim')).toHaveLength(1);
      expect((await e.deps.payments.provider.getTransaction(again.transactionId)).amountCents).toBe(
        payout!.amountCents,
      );

      const events = await listCaseEvents(db, { caseId });
      expect(events.map((ev) => ev.type)).toEqual(expect.arrayContaining(['correction.proposed', 'correction.issued']));
      expect(verifyEventChain(events)).toMatchObject({ valid: true });
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({
        correction: { kind: 'widerruf', effect: 'ex_tunc', reclaimCents: payout!.amountCents },
      });
      // Issued once: no second correction of the same decision.
      expect((await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, proposal)).status).toBe(409);
      await api.close();
    });
  });

  it('Rücknahme of an unlawful permit with the fee refunded; a Widerruf for the past is not open to it', async () => {
    await withWorker(async (e) => {
      const { caseId, api, applicant, caseWorker } = await decidedCase(e, applicationOf('resident', 40));
      const fee = (await listPayments(db, { caseId })).find((p) => p.kind === 'fee');
      expect(fee).toMatchObject({ status: 'paid' });
      const reasons = ['Die Meldeadresse war falsch erfasst; die Wohnung liegt außerhalb der Zone.'];
      const past = await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, {
        kind: 'widerruf',
        effect: 'ex_tunc',
        reasons,
      });
      expect(past.status).toBe(409);
      expect(JSON.stringify(past.body)).toContain('§ 49 Abs. 3 VwVfG');
      const proposed = await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, {
        kind: 'ruecknahme',
        effect: 'ex_tunc',
        reasons,
        refundFeeCents: fee!.amountCents,
      });
      expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
      const other = await staffToken('sb.tom', (await findCorrection(db, { caseId }))!.authorityId);
      const confirmed = await call(api, 'POST', `/cases/${caseId}/correction/confirmation`, other, { approve: true });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      expect((await e.cases.corrections.result(caseId)).stage).toBe('issued');

      const issued = (await listAkteDocuments(db, { caseId })).find((d) => d.kind === 'correction_decision');
      const text = await textOf(e, issued!.sha256);
      expect(text).toContain('Rücknahmebescheid');
      expect(text).toMatch(/mit Wirkung für die Vergangenheit\s+zurückgenommen/);
      expect(text).toContain('§ 48 Abs. 1 VwVfG');
      expect(text).toContain('Die gezahlte Gebühr wird');
      const payments = await listPayments(db, { caseId });
      expect(payments.filter((p) => p.kind === 'refund').map((p) => p.amountCents)).toEqual([fee!.amountCents]);
      expect(payments.find((p) => p.kind === 'fee')?.status).toBe('refunded');
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({
        correction: { kind: 'ruecknahme', effect: 'ex_tunc', refundFeeCents: fee!.amountCents },
      });
      await api.close();
    });
  });

  it('refused under four eyes: nothing is issued, nothing reclaimed; refused too late after knowledge and before a Bescheid', async () => {
    await withWorker(async (e) => {
      const { caseId, api, applicant, caseWorker, supervisor } = await decidedCase(
        e,
        lastenradApplication('eligible', 41),
      );
      const proposal = { kind: 'ruecknahme', effect: 'ex_nunc', reasons: ['Die Rechnung war gefälscht.'] };
      const late = await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, {
        ...proposal,
        knownSince: addDays(berlinDate(new Date()), -400),
      });
      expect(late.status).toBe(409);
      expect(JSON.stringify(late.body)).toContain('§ 48 Abs. 4');
      expect((await call(api, 'POST', `/cases/${caseId}/correction`, caseWorker, proposal)).status).toBe(201);
      const noReason = await call(api, 'POST', `/cases/${caseId}/correction/confirmation`, supervisor, {
        approve: false,
      });
      expect(noReason.status).toBe(409);
      const refused = await call(api, 'POST', `/cases/${caseId}/correction/confirmation`, supervisor, {
        approve: false,
        note: 'Die Rechnung ist echt; der Händler hat sie bestätigt.',
      });
      expect(refused.status, JSON.stringify(refused.body)).toBe(200);
      expect(await e.cases.corrections.result(caseId)).toEqual({ caseId, stage: 'refused' });
      expect(await findCorrection(db, { caseId })).toMatchObject({ stage: 'refused', confirmedBy: 'sl.lena' });
      expect((await listAkteDocuments(db, { caseId })).some((d) => d.kind === 'correction_decision')).toBe(false);
      expect((await listPayments(db, { caseId })).map((p) => p.kind)).toEqual(['payout']);
      expect((await listCaseEvents(db, { caseId })).map((ev) => ev.type)).toContain('correction.refused');
      expect((await call(api, 'GET', `/cases/${caseId}/milestones`, applicant)).body).not.toHaveProperty('correction');

      // A case still running has no Bescheid to correct.
      const running = await e.cases.submit({ ...applicationOf('company_car', 40), idempotencyKey: randomUUID() });
      const early = await call(
        api,
        'POST',
        `/cases/${running.caseId}/correction`,
        await staffToken('sb.sara', applicationOf('company_car', 40).authorityId),
        proposal,
      );
      expect(early.status).toBe(409);
      await api.close();
    });
  });
});

describe('correcting a decision on the workbench', () => {
  it('the case page proposes, refuses the same person, confirms by another and shows who did what', async () => {
    await withWorker(async (e) => {
      const { caseId } = await e.cases.submit({
        ...lastenradApplication('eligible', 42),
        idempotencyKey: randomUUID(),
      });
      expect((await e.cases.result(caseId)).outcome).toBe('approved');
      const w = await workbenchOf(e);
      const sara = await w.session('sb.sara', 'case_worker');
      const lena = await w.session('sl.lena', 'supervisor');
      const url = `/workbench/cases/${caseId}`;
      expect((await w.page(url, sara)).body).toContain('Rücknahme oder Widerruf vorschlagen');

      const bad = await w.post(sara, `${url}/correction`, {
        kind: 'widerruf',
        effect: 'ex_tunc',
        reasons: 'x',
        reclaim: 'viel',
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('Beträge in Euro');
      const proposed = await w.post(sara, `${url}/correction`, {
        kind: 'widerruf',
        effect: 'ex_tunc',
        reasons: 'Das Rad wurde weiterverkauft.',
        reclaim: '100,00',
      });
      expect(proposed.statusCode, proposed.body).toBe(303);
      const mine = (await w.page(url, sara)).body;
      expect(mine).toContain('wartet auf Bestätigung (Vier-Augen-Prinzip)');
      expect(mine).toContain('Eine andere Person');
      expect(mine).not.toContain('Korrektur bestätigen (Vier-Augen-Prinzip)');
      const own = await w.post(sara, `${url}/correction/confirmation`, { approve: 'yes' });
      expect(own.statusCode).toBe(409);
      expect(own.body).toContain('Vier-Augen-Prinzip: Die Korrektur muss eine andere Person bestätigen');

      expect((await w.page(url, lena)).body).toContain('Korrektur bestätigen (Vier-Augen-Prinzip)');
      const confirmed = await w.post(lena, `${url}/correction/confirmation`, { approve: 'yes' });
      expect(confirmed.statusCode, confirmed.body).toBe(303);
      expect((await e.cases.corrections.result(caseId)).stage).toBe('issued');
      const shown = (await w.page(url, sara)).body;
      expect(shown).toContain('Rücknahme-/Widerrufsbescheid erlassen');
      expect(shown).toContain('von sl.lena');
      expect(shown).toContain('100,00 €');
      expect(shown).not.toContain('Rücknahme oder Widerruf vorschlagen');
      await w.app.close();
    });
  });
});

describe('what the correction workflow refuses', () => {
  const at = (stage: CorrectionState['stage']): CorrectionState => ({
    caseId: 'c',
    stage,
    kind: 'widerruf',
    proposedBy: 'sb.sara',
  });
  it('takes a confirmation only from another person, a refusal only with reasons, and only once', () => {
    expect(correctionRefusalOf(at('awaiting_confirmation'), { by: 'sl.lena', approve: true })).toBe(undefined);
    expect(correctionRefusalOf(at('awaiting_confirmation'), { by: 'sb.sara', approve: true })).toContain('Vier-Augen');
    expect(correctionRefusalOf(at('awaiting_confirmation'), { by: 'sl.lena', approve: false, note: ' ' })).toContain(
      'Ablehnung',
    );
    expect(correctionRefusalOf(at('issued'), { by: 'sl.lena', approve: true })).toContain('bereits entschieden');
  });
});

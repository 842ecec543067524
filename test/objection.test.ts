import { describe, expect, it } from 'vitest';
import { recordBekanntgabeOf } from '../activities/bekanntgabe.js';
import { OBJECTION_ABOLISHED } from '../client/objection-client.js';
import { verifyEventChain } from '../db/event-chain.js';
import { listAkteDocuments } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { findObjection } from '../db/queries/objections.js';
import { activeHoldsOfCase } from '../db/queries/retention.js';
import { listTasksOfCase } from '../db/queries/tasks.js';
import type { SubmitApplication } from '../client/case-client.js';
import { listPayments } from '../db/queries/payments.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { addDays, berlinDate } from '../services/legal-time.js';
import { db, httpApiFor, type TestEngine, withWorker } from './harness.js';
import { applicantToken, call, staffToken } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';
import { waitFor } from './support/wait.js';
import { objectionRefusalOf } from '../workflows/objection.js';
import type { ObjectionState } from '../workflows/contracts/objection.js';

// Smallest file whose content reads as a PDF (the upload check goes by content).
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');

/** A rejected parking permit, closed with its Bescheid; its Bekanntgabe as the post office reports it (`deliveredOn`). */
async function rejectedCase(
  e: TestEngine,
  nth: number,
  deliveredOn: string,
  submission: SubmitApplication = applicationOf('other_zone', nth),
) {
  const { caseId } = await e.cases.submit(submission);
  expect((await e.cases.result(caseId)).outcome).toBe('rejected');
  const { serviceKey, authorityId } = submission;
  const record = await recordBekanntgabeOf(db, {
    caseId,
    serviceKey,
    authorityId,
    basis: 'manual_delivery',
    eventOn: deliveredOn,
  });
  const api = await httpApiFor(e);
  const applicant = await applicantToken(submission.identity.subject);
  const caseWorker = await staffToken('sb.sara', authorityId);
  return { caseId, submission, record, api, applicant, caseWorker };
}

/** All text of a sealed PDF as its structure tree holds it. */
const textOf = async (e: TestEngine, sha256: string) =>
  (await inspectPdf(await e.deps.documents.get(sha256))).structure.map((el) => el.text).join('\n');

const openTask = (caseId: string, kind: string) =>
  waitFor(async () => (await listTasksOfCase(db, { caseId })).find((t) => t.kind === kind && t.state === 'open'), {
    what: `an open ${kind} task`,
  });

describe.concurrent('objection (Widerspruch) against a decision', () => {
  it('not remedied: the objection authority decides by a sealed Widerspruchsbescheid with its instruction on the action, filed and delivered', async () => {
    await withWorker(async (e) => {
      const today = berlinDate(new Date());
      const { caseId, submission, api, applicant, caseWorker } = await rejectedCase(e, 5, today);
      const { authorityId } = submission;

      const filed = await call(api, 'POST', `/cases/${caseId}/objection`, applicant, {
        reasons: 'Ich wohne seit März in der Zone.',
        attachments: [{ fileName: 'meldebescheinigung.pdf', content: PDF }],
      });
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      expect(filed.body).toMatchObject({ caseId, late: false, stage: 'abhilfe' });
      // Once per case; the case is kept from erasure while the objection runs.
      expect((await call(api, 'POST', `/cases/${caseId}/objection`, applicant, { reasons: 'Nochmals.' })).status).toBe(
        409,
      );
      expect((await activeHoldsOfCase(db, { caseId })).map((h) => h.kind)).toEqual(['objection']);

      // The deciding authority's Abhilfeprüfung: a task for its case workers.
      const abhilfe = await openTask(caseId, 'abhilfe');
      expect(abhilfe.candidateGroup).toBe(`${authorityId}:sachbearbeitung`);
      expect(abhilfe.reason).toContain('§ 72 VwGO');
      const early = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'objection_authority',
        outcome: 'rejected',
        reasons: ['Zu früh.'],
      });
      expect(early.status).toBe(409);
      const noRemedy = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'abhilfe',
        outcome: 'no_remedy',
        reasons: ['Die Meldebescheinigung nennt eine Anschrift außerhalb der Zone.'],
      });
      expect(noRemedy.status, JSON.stringify(noRemedy.body)).toBe(200);

      // The objection authority's task, then its decision.
      const widerspruch = await openTask(caseId, 'widerspruchsbescheid');
      expect(widerspruch.candidateGroup).toBe(`${authorityId}:widerspruchsstelle`);
      expect((await listTasksOfCase(db, { caseId })).find((t) => t.kind === 'abhilfe')?.state).toBe('completed');
      const decided = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'objection_authority',
        outcome: 'rejected',
        reasons: ['Der Bescheid ist rechtmäßig; die Wohnung liegt nicht in der Parkzone.'],
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      expect(await e.cases.objections.result(caseId)).toMatchObject({
        stage: 'decided',
        abhilfe: 'no_remedy',
        widerspruch: 'rejected',
        documents: [`${caseId}:widerspruchsbescheid`],
      });

      // Filed in the Akte beside the Bescheid (which it does not replace), delivered to the person who objected.
      const akte = await listAkteDocuments(db, { caseId });
      expect(akte.find((d) => d.kind === 'objection')?.title).toMatch(/^Widerspruch vom /);
      expect(akte.find((d) => d.title === 'meldebescheinigung.pdf')).toMatchObject({ kind: 'upload' });
      expect(akte.find((d) => d.documentId === `${caseId}:widerspruchsbescheid`)).toMatchObject({
        kind: 'objection_decision',
        mediaType: 'application/pdf',
        replaces: null,
      });
      const delivered = await listDeliveries(db, { caseId });
      expect(delivered.map((d) => d.subject)).toContainEqual(expect.stringMatching(/^Widerspruchsbescheid: /));
      const text = await textOf(e, akte.find((d) => d.documentId === `${caseId}:widerspruchsbescheid`)!.sha256);
      expect(text).toContain('Widerspruchsbescheid');
      expect(text).toContain('Der Widerspruch wird zurückgewiesen.');
      expect(text).toContain('die Wohnung liegt nicht in der Parkzone');
      expect(text).toContain('Kosten des Widerspruchsverfahrens');
      expect(text).toMatch(/innerhalb eines Monats\s+nach Zustellung dieses Widerspruchsbescheids Klage/);
      expect(text).toContain('§ 74 Abs. 1 Satz 1 VwGO');
      expect(await findObjection(db, { caseId })).toMatchObject({ stage: 'decided', widerspruch: 'rejected' });
      const events = await listCaseEvents(db, { caseId });
      expect(events.map((ev) => ev.type)).toEqual(
        expect.arrayContaining(['objection.received', 'objection.objection_authority', 'objection.decided']),
      );
      expect(verifyEventChain(events)).toMatchObject({ valid: true });
      // The procedure is over: its hold against erasure is released, once, and the timeline says so.
      expect(await activeHoldsOfCase(db, { caseId })).toEqual([]);
      expect(events.filter((ev) => ev.type === 'objection.hold_released')).toHaveLength(1);

      // The applicant sees where the objection stands.
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({ objection: { late: false, stage: 'decided', widerspruch: 'rejected' } });
      await api.close();
    });
  });

  it('remedied in full: a new sealed Bescheid replaces the old one in the Akte and reaches the applicant; the fee paid back on the rejection is due again', async () => {
    await withWorker(async (e) => {
      const { caseId, api, applicant, caseWorker, record } = await rejectedCase(e, 6, berlinDate(new Date()));
      const [fee] = await listPayments(db, { caseId });
      expect(fee).toMatchObject({ kind: 'fee', status: 'refunded' });
      // The applicant's view names the remedy period's end as her next deadline while it runs.
      expect((await call(api, 'GET', `/cases/${caseId}/milestones`, applicant)).body).toMatchObject({
        nextDeadline: { kind: 'remedy_period', date: record.remedyPeriodEndsOn },
      });
      expect(
        (await call(api, 'POST', `/cases/${caseId}/objection`, applicant, { reasons: 'Ich bin umgemeldet.' })).status,
      ).toBe(201);
      // Objected: the period no longer runs for her.
      expect((await call(api, 'GET', `/cases/${caseId}/milestones`, applicant)).body).not.toHaveProperty(
        'nextDeadline',
      );
      await openTask(caseId, 'abhilfe');
      const remedy = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'abhilfe',
        outcome: 'remedy',
        reasons: ['Die nachgereichte Meldebescheinigung weist die Wohnung in der Zone nach.'],
      });
      expect(remedy.status, JSON.stringify(remedy.body)).toBe(200);
      expect(await e.cases.objections.result(caseId)).toMatchObject({
        stage: 'remedied',
        abhilfe: 'remedy',
        documents: [`${caseId}:abhilfebescheid`],
      });
      const akte = await listAkteDocuments(db, { caseId });
      const replacing = akte.find((d) => d.documentId === `${caseId}:abhilfebescheid`);
      expect(replacing).toMatchObject({
        kind: 'bescheid',
        replaces: `${caseId}:bescheid`,
        mediaType: 'application/pdf',
      });
      expect(replacing?.sha256).not.toBe(akte.find((d) => d.documentId === `${caseId}:bescheid`)?.sha256);
      const text = await textOf(e, replacing!.sha256);
      expect(text).toContain('Abhilfebescheid');
      expect(text).toContain('Dem Widerspruch wird abgeholfen.');
      expect(text).toContain('weist die Wohnung in der Zone nach');
      expect(text).toContain('erneut zu zahlen (bei der Ablehnung erstattet)');
      // Requested again once, under a key of its own, for the amount first paid.
      expect(
        (await listPayments(db, { caseId })).filter((p) => p.idempotencyKey === `case:${caseId}:fee-after-remedy`),
      ).toEqual([expect.objectContaining({ kind: 'fee', status: 'open', amountCents: fee!.amountCents })]);
      expect((await listDeliveries(db, { caseId })).map((d) => d.subject)).toContainEqual(
        expect.stringMatching(/^Abhilfebescheid/),
      );
      expect((await listTasksOfCase(db, { caseId })).map((t) => [t.kind, t.state])).toEqual([['abhilfe', 'completed']]);
      // Remedied: the objection's hold against erasure goes with the procedure; retention runs as for any closed case.
      expect(await activeHoldsOfCase(db, { caseId })).toEqual([]);
      const ended = (await listCaseEvents(db, { caseId })).filter((ev) => ev.type === 'objection.hold_released');
      expect(ended.map((ev) => ev.data)).toEqual([
        expect.objectContaining({ reason: 'Widerspruchsverfahren beendet' }),
      ]);
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({ objection: { stage: 'remedied', abhilfe: 'remedy' } });
      await api.close();
    });
  });

  it('remedied on a pay-out service: the grant the remedy decides is paid out once, besides the replacing Bescheid', async () => {
    await withWorker(async (e) => {
      const today = berlinDate(new Date());
      const { caseId, api, applicant, caseWorker } = await rejectedCase(
        e,
        0,
        today,
        // A trailer's rejection needs no hearing (§ 28 Abs. 2 Nr. 3 VwVfG): the case closes at once.
        lastenradApplication('not_cargo_bike', 25),
      );
      expect(await listPayments(db, { caseId })).toEqual([]);
      expect(
        (await call(api, 'POST', `/cases/${caseId}/objection`, applicant, { reasons: 'Das Rad ist ein Lastenrad.' }))
          .status,
      ).toBe(201);
      await openTask(caseId, 'abhilfe');
      const remedy = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'abhilfe',
        outcome: 'remedy',
        payoutCents: 50_000,
        reasons: ['Das Datenblatt weist das Rad als Lastenrad aus.'],
      });
      expect(remedy.status, JSON.stringify(remedy.body)).toBe(200);
      expect((await e.cases.objections.result(caseId)).stage).toBe('remedied');
      expect((await listPayments(db, { caseId })).map((p) => [p.kind, p.amountCents, p.status])).toEqual([
        ['payout', 50_000, 'paid_out'],
      ]);
      await api.close();
    });
  });

  it('late: taken and flagged against the recorded Bekanntgabe, the case worker may grant reinstatement', async () => {
    await withWorker(async (e) => {
      // Delivered by hand two months ago: the month for the objection has run out.
      const deliveredOn = addDays(berlinDate(new Date()), -61);
      const { caseId, record, api, applicant, caseWorker } = await rejectedCase(e, 7, deliveredOn);
      const filed = await call(api, 'POST', `/cases/${caseId}/objection`, applicant, {
        reasons: 'Ich war im Krankenhaus.',
      });
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      expect(filed.body).toMatchObject({ late: true, periodEndsOn: record.remedyPeriodEndsOn });
      const task = await openTask(caseId, 'abhilfe');
      expect(task.reason).toContain('nach Ablauf der Widerspruchsfrist');
      expect(task.reason).toContain('Wiedereinsetzung');
      expect((await listAkteDocuments(db, { caseId })).find((d) => d.kind === 'objection')?.title).toContain(
        '(nach Ablauf der Widerspruchsfrist)',
      );

      const decided = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'abhilfe',
        outcome: 'no_remedy',
        reinstatement: true,
        reasons: ['Wiedereinsetzung gewährt: Krankenhausaufenthalt belegt. In der Sache keine Abhilfe.'],
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      await openTask(caseId, 'widerspruchsbescheid');
      expect(await findObjection(db, { caseId })).toMatchObject({
        late: true,
        reinstated: true,
        stage: 'objection_authority',
      });
      const view = await call(api, 'GET', `/cases/${caseId}/milestones`, applicant);
      expect(view.body).toMatchObject({ objection: { late: true, reinstated: true, stage: 'objection_authority' } });
      await api.close();
    });
  });

  it('late and not reinstated: the objection authority dismisses it as inadmissible', async () => {
    await withWorker(async (e) => {
      const { caseId, api, applicant, caseWorker } = await rejectedCase(e, 8, addDays(berlinDate(new Date()), -90));
      const filed = await call(api, 'POST', `/cases/${caseId}/objection`, applicant, { reasons: 'Ich war verreist.' });
      expect(filed.body).toMatchObject({ late: true });
      await openTask(caseId, 'abhilfe');
      const abhilfe = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'abhilfe',
        outcome: 'no_remedy',
        reinstatement: false,
        reasons: ['Eine Reise hindert nicht, rechtzeitig Widerspruch zu erheben.'],
      });
      expect(abhilfe.status, JSON.stringify(abhilfe.body)).toBe(200);
      expect((await openTask(caseId, 'widerspruchsbescheid')).reason).toContain('nach Ablauf der Widerspruchsfrist');
      const decided = await call(api, 'POST', `/cases/${caseId}/objection/decision`, caseWorker, {
        stage: 'objection_authority',
        outcome: 'rejected',
        reasons: ['Die Widerspruchsfrist war abgelaufen; Wiedereinsetzungsgründe liegen nicht vor.'],
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      await e.cases.objections.result(caseId);
      const entry = (await listAkteDocuments(db, { caseId })).find((d) => d.kind === 'objection_decision');
      const text = await textOf(e, entry!.sha256);
      expect(text).toContain('als unzulässig zurückgewiesen');
      expect(text).toContain('§ 70 VwGO');
      expect(await findObjection(db, { caseId })).toMatchObject({ late: true, reinstated: false, stage: 'decided' });
      await api.close();
    });
  });

  it('refused where the Land abolished the objection procedure for the service (gewerbeanmeldung)', async () => {
    await withWorker(async (e) => {
      const submission = gewerbeApplication('prohibited', 25);
      const { caseId } = await e.cases.submit(submission);
      expect((await e.cases.result(caseId)).outcome).toBe('rejected');
      const api = await httpApiFor(e);
      const res = await call(
        api,
        'POST',
        `/cases/${caseId}/objection`,
        await applicantToken(submission.identity.subject),
        { reasons: 'Ich widerspreche.' },
      );
      expect(res.status).toBe(409);
      expect(JSON.stringify(res.body)).toContain(OBJECTION_ABOLISHED);
      expect(await findObjection(db, { caseId })).toBeUndefined();
      await api.close();
    });
  });
});

describe('what the objection workflow refuses at each stage', () => {
  const at = (stage: ObjectionState['stage'], late = false): ObjectionState => ({
    caseId: 'c',
    stage,
    late,
    taskId: 'c:abhilfe',
    documents: [],
  });
  const reasons = ['Gründe'];
  it('takes each decision only at its stage, with an outcome of that stage and with reasons', () => {
    expect(objectionRefusalOf(at('abhilfe'), { stage: 'abhilfe', by: 'sb', outcome: 'no_remedy', reasons })).toBe(
      undefined,
    );
    expect(
      objectionRefusalOf(at('abhilfe'), { stage: 'objection_authority', by: 'sb', outcome: 'rejected', reasons }),
    ).toContain('Abhilfeprüfung');
    expect(
      objectionRefusalOf(at('abhilfe'), { stage: 'abhilfe', by: 'sb', outcome: 'rejected' as never, reasons }),
    ).toContain('nicht möglich');
    expect(objectionRefusalOf(at('abhilfe'), { stage: 'abhilfe', by: 'sb', outcome: 'remedy', reasons: [' '] })).toBe(
      'Bitte die Gründe angeben.',
    );
    expect(
      objectionRefusalOf(at('decided'), { stage: 'objection_authority', by: 'sb', outcome: 'rejected', reasons }),
    ).toContain('bereits entschieden');
  });
  it('decides reinstatement only for a late objection, and a pay-out only with a remedy', () => {
    const reinstate = { stage: 'abhilfe', by: 'sb', outcome: 'no_remedy', reasons, reinstatement: true } as const;
    expect(objectionRefusalOf(at('abhilfe', true), reinstate)).toBe(undefined);
    expect(objectionRefusalOf(at('abhilfe', false), reinstate)).toContain('rechtzeitig');
    expect(
      objectionRefusalOf(at('abhilfe'), { stage: 'abhilfe', by: 'sb', outcome: 'no_remedy', reasons, payoutCents: 5 }),
    ).toContain('Auszahlung');
  });
});

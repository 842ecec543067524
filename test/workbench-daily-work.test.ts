import { randomUUID } from 'node:crypto';
import { type FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import type { SubmitApplication } from '../client/case-client.js';
import { gewerbeApplication } from '../dev/demo/sample-other-services.js';
import type { StaffSession } from '../http/workbench/login.js';
import { taskFollowUps, tasks } from '../db/schema.js';
import { listTasks } from '../db/queries/tasks.js';
import { inboxFilters, inboxQuery } from '../http/workbench/inbox.js';
import { recordStaffLogin } from '../db/queries/staff-directory.js';
import { listRetrievalsOfCase } from '../db/queries/evidence-retrievals.js';
import { addDays, berlinDate } from '../services/legal-time.js';
import { untranslatedKeys } from './support/untranslated.js';
import { testWorkbench } from './support/workbench.js';
import { expectAccessible, launchChromium, tabTo } from './support/browser.js';
import { db, httpApiFor, startRegisters, withWorker, type TestEngine } from './harness.js';
import { applicantToken, listening, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';

const STADT = 'stadt-musterstadt';
const SECRET = 'daily-work-test-session-secret-32chars';

const apps: FastifyInstance[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

/** Submits with a name of its own, and waits for the escalated case's task in the inbox projection. */
async function escalated(e: TestEngine, submission: SubmitApplication, name: [string, string]) {
  submission.identity = { ...submission.identity, name: { givenName: name[0], familyName: name[1] } };
  const { caseId } = await e.cases.submit(submission);
  await waitFor(
    'the task in the inbox',
    async () => (await e.tasks.find(`${caseId}:review`))?.state === 'open',
    90_000,
  );
  return { caseId, taskId: `${caseId}:review`, subject: submission.identity.subject };
}

/** The workbench over the test's worker; sessions of Musterstadt's staff as their login would open them. */
async function workbenchOf(e: TestEngine) {
  const w = await testWorkbench(e, SECRET);
  apps.push(w.app);
  const session = (s: Partial<StaffSession> & { id: string }) =>
    w.signIn({ role: 'case_worker', authorityId: STADT, name: s.id, ...s });
  return { ...w, session };
}

const linksIn = (body: string) => [...body.matchAll(/href="\/workbench\/cases\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
const germanDay = (iso: string) => iso.split('-').reverse().join('.');

describe.concurrent("the case worker's day: groups, Wiedervorlage, sorting and saved filters", {
  timeout: 180_000,
}, () => {
  it('shows each group its tasks, keeps follow-up dates, sorts and filters, and rests the due date while asking', async () => {
    await withWorker(async (e) => {
      // One family name of this run only: the search finds this test's two cases, whatever else the database holds.
      const family = `Wv${randomUUID().replace(/-/g, '').slice(0, 10)}`;
      const parking = await escalated(e, applicationOf('company_car', 30), ['Anna', family]);
      const permitTrade = gewerbeApplication('permit_trade', 31);
      (permitTrade.application as { business: { name: string } }).business.name = 'Wachdienst Beispiel';
      const trade = await escalated(e, permitTrade, ['Bert', family]);
      const w = await workbenchOf(e);

      // (1) The service's groups: parking goes to the Sachbearbeitung, the permit trade to the Gewerbeamt.
      expect((await e.tasks.find(parking.taskId))?.candidateGroup).toBe(`${STADT}:sachbearbeitung`);
      expect((await e.tasks.find(trade.taskId))?.candidateGroup).toBe(`${STADT}:gewerbeamt`);
      await recordStaffLogin(db, {
        authorityId: STADT,
        staffId: 'sb.parken',
        displayName: 'Paula Parken',
        role: 'case_worker',
      });
      const parkingDesk = await w.session({ id: 'sb.parken', name: 'Paula Parken', groups: ['sachbearbeitung'] });
      const tradeDesk = await w.session({ id: 'sb.gewerbe', groups: ['gewerbeamt'] });
      const everyGroup = await w.session({ id: 'sb.alle', name: 'Alex Alle' });
      const supervisor = await w.session({ id: 'auf.sicht', role: 'supervisor', groups: [] });
      const found = async (cookie: string, query: Record<string, string> = {}) =>
        linksIn((await w.page(`/workbench/inbox?${new URLSearchParams({ q: family, ...query })}`, cookie)).body);
      expect(await found(parkingDesk)).toEqual([parking.caseId]);
      expect((await w.page('/workbench/inbox', parkingDesk)).body).toContain(
        'Angemeldet: Paula Parken (Sachbearbeitung · Gruppe: Sachbearbeitung)',
      );
      expect(await found(tradeDesk)).toEqual([trade.caseId]);
      expect((await found(everyGroup)).sort()).toEqual([parking.caseId, trade.caseId].sort());
      expect((await found(supervisor)).sort()).toEqual([parking.caseId, trade.caseId].sort());

      // (2) Wiedervorlage: set with a note on the case page, shown there and in the inbox row, filtered when due.
      const today = berlinDate(new Date());
      const set = await w.post(parkingDesk, `/workbench/cases/${parking.caseId}/follow-up`, {
        taskId: parking.taskId,
        followUpOn: today,
        followUpNote: 'Halterauskunft nachsehen',
      });
      expect([set.statusCode, set.headers.location]).toEqual([
        303,
        `/workbench/cases/${parking.caseId}?done=followup#notice`,
      ]);
      const casePage = (await w.page(`/workbench/cases/${parking.caseId}?done=followup`, parkingDesk)).body;
      // The success message takes the focus, the Wiedervorlage is in the task's fields.
      expect(casePage).toMatch(
        /<div role="status" class="notice" id="notice" tabindex="-1" autofocus><p>Die Wiedervorlage ist gespeichert/,
      );
      expect(casePage).toContain(
        `<dt>Wiedervorlage</dt><dd>${germanDay(today)} – „Halterauskunft nachsehen“ (gesetzt von Paula Parken)</dd>`,
      );
      expect(untranslatedKeys(casePage)).toEqual([]);
      // (5) The registers' answers read as labelled German fields on the page, besides the JSON download.
      expect(casePage).toContain(
        '<summary>Auskunft lesen<span class="skip"> (Meldebescheinigung)</span></summary><dl class="fields">',
      );
      for (const field of [
        '<dt>Anschrift – Straße und Hausnummer</dt>',
        '<dt>Art des Wohnsitzes</dt><dd>Hauptwohnsitz</dd>',
        '<dt>Nutzung</dt><dd>Firmenfahrzeug</dd>',
      ])
        expect(casePage).toContain(field);
      expect(casePage).toMatch(/<dt>Geburtsdatum<\/dt><dd>\d{2}\.\d{2}\.\d{4}<\/dd>/);
      const tomorrow = addDays(today, 1);
      const later = await w.post(everyGroup, `/workbench/cases/${trade.caseId}/follow-up`, {
        taskId: trade.taskId,
        followUpOn: tomorrow,
        followUpNote: '',
      });
      expect(later.statusCode).toBe(303);
      const inbox = (await w.page(`/workbench/inbox?q=${family}`, everyGroup)).body;
      expect(inbox).toContain(
        `Wiedervorlage ${germanDay(today)}</span><br><span class="muted">Halterauskunft nachsehen`,
      );
      expect(inbox).toContain(`Wiedervorlage ${germanDay(tomorrow)}`);
      expect(untranslatedKeys(inbox)).toEqual([]);
      expect(await found(everyGroup, { followup: 'due' })).toEqual([parking.caseId]);
      // The note rests sealed in the database, never in clear text.
      const [stored] = await db.select().from(taskFollowUps).where(eq(taskFollowUps.taskId, parking.taskId));
      expect(stored).toMatchObject({ followUpOn: today, setBy: 'sb.parken', authorityId: STADT });
      expect(JSON.stringify(stored!.note)).not.toContain('Halterauskunft');
      // A day in the past is refused in German, with what she typed kept.
      const past = await w.post(parkingDesk, `/workbench/cases/${parking.caseId}/follow-up`, {
        taskId: parking.taskId,
        followUpOn: addDays(today, -1),
        followUpNote: 'zu spät',
      });
      expect(past.statusCode).toBe(422);
      expect(past.body).toContain('Die Wiedervorlage kann nicht in der Vergangenheit liegen.');
      expect(past.body).toContain('>zu spät</textarea>');
      // Only staff who work cases set one.
      const operator = await w.session({ id: 'op.betrieb', role: 'operator' });
      const refused = await w.post(operator, `/workbench/cases/${parking.caseId}/follow-up`, {
        taskId: parking.taskId,
        followUpOn: today,
      });
      expect(refused.statusCode).toBe(403);

      // (3) Sorting: by Wiedervorlage (today before tomorrow), by receipt (parking came first); saved filters as links.
      expect(await found(everyGroup, { sort: 'followup' })).toEqual([parking.caseId, trade.caseId]);
      expect(await found(everyGroup, { sort: 'received' })).toEqual([parking.caseId, trade.caseId]);
      const sorted = (await w.page(`/workbench/inbox?q=${family}&sort=received`, everyGroup)).body;
      expect(sorted).toContain('nach Eingang sortiert');
      const saved = (await w.page('/workbench/inbox?followup=due&sort=followup', everyGroup)).body;
      expect(saved).toContain('<nav aria-label="Gespeicherte Filter"');
      expect(saved).toContain(
        '<a href="/workbench/inbox?followup=due&amp;sort=followup" aria-current="page">Wiedervorlage fällig</a>',
      );
      for (const label of ['Meine', 'Rückfrage offen', 'Überfällig']) expect(saved).toContain(`>${label}</a>`);

      // Clearing it takes it off the row and out of the filter.
      const cleared = await w.post(parkingDesk, `/workbench/cases/${parking.caseId}/follow-up`, {
        taskId: parking.taskId,
        clear: '1',
      });
      expect(cleared.headers.location).toBe(`/workbench/cases/${parking.caseId}?done=followup_cleared#notice`);
      expect(await found(everyGroup, { followup: 'due' })).toEqual([]);

      // (4) A question to the applicant: the row's due date rests, and "Rückfrage offen" finds it.
      const actor = { id: 'sb.parken', role: 'case_worker' as const, authorityId: STADT };
      await e.tasks.act(parking.caseId, { action: 'claim', taskId: parking.taskId, actor });
      await e.tasks.act(parking.caseId, {
        action: 'ask',
        taskId: parking.taskId,
        actor,
        kind: 'question',
        text: 'Wer nutzt den Wagen?',
      });
      await waitFor(
        'the open question in the inbox',
        async () => (await found(everyGroup, { question: 'open' })).includes(parking.caseId),
        30_000,
      );
      expect(await found(everyGroup, { question: 'open' })).toEqual([parking.caseId]);
      const row = (await w.page(`/workbench/inbox?q=${family}&question=open`, parkingDesk)).body;
      expect(row).toContain('<span class="badge paused">Frist ruht</span>');
      // Her own claimed task stays in her inbox whatever its group.
      expect(await found(tradeDesk, { assignee: 'me' })).toEqual([]);
      expect(await found(parkingDesk, { assignee: 'me' })).toEqual([parking.caseId]);

      // (6) A closed case's page against an open one's: the trade case is decided and closes (its fee is paid at once).
      const trader = { id: 'sb.gewerbe', role: 'case_worker' as const, authorityId: STADT };
      await e.tasks.act(trade.caseId, { action: 'claim', taskId: trade.taskId, actor: trader });
      await e.tasks.act(trade.caseId, {
        action: 'complete',
        taskId: trade.taskId,
        actor: trader,
        outcome: 'approve',
        justification: 'Erlaubnis liegt vor.',
        reasonsForApplicant: 'Die Erlaubnis liegt vor.',
      });
      await waitFor(
        'the trade case closed',
        async () => (await e.cases.status(trade.caseId)).status === 'closed',
        60_000,
      );
      const timed = async (caseId: string) => {
        const ms: number[] = [];
        for (let i = 0; i < 13; i++) {
          const t = performance.now();
          const res = await w.page(`/workbench/cases/${caseId}`, everyGroup);
          expect(res.statusCode).toBe(200);
          if (i >= 3) ms.push(performance.now() - t);
        }
        return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
      };
      const open = await timed(parking.caseId);
      const closed = await timed(trade.caseId);
      console.log(`case page, median of 10: open case ${open.toFixed(1)} ms, closed case ${closed.toFixed(1)} ms`);
      // The closed case reads its Akte, not Temporal's history: it must not be markedly slower than an open one.
      expect(closed).toBeLessThan(open * 2 + 50);
    });
  });

  // Concurrent tests take their hooks from their own context.
  it("shows an applicant's uploaded PDF inside the case page, from the staff-only document route", async ({
    onTestFinished,
  }) => {
    const { registers } = await startRegisters({ faultsByRegister: { vehicles: { down: true } } });
    await withWorker(
      async (e) => {
        const api = await listening(await httpApiFor(e));
        onTestFinished(() => api.close());
        const submission = applicationOf('resident', 32);
        const { caseId } = await e.cases.submit({
          ...submission,
          deadlines: { registerRetryInitialMs: 50, registerMaxAttempts: 2 },
        });
        await waitFor(
          'the request for the document',
          async () => (await e.cases.status(caseId)).status === 'awaiting_applicant',
          60_000,
        );
        const pdf = await PDFDocument.create();
        pdf.addPage().drawText('Zulassungsbescheinigung Teil I');
        const form = new FormData();
        form.append('file', new Blob([Buffer.from(await pdf.save())], { type: 'application/pdf' }), 'zulassung.pdf');
        const owner = api.as(await applicantToken(submission.identity.subject));
        const sent = await owner.POST('/cases/{caseId}/evidence/{evidenceType}', {
          params: { path: { caseId, evidenceType: 'vehicle_registration' } },
          body: form as unknown as { file: string },
        });
        expect(sent.response.status).toBe(201);
        const sha256 = sent.data!.document.sha256;
        await waitFor(
          'the case with a case worker',
          async () => (await e.cases.status(caseId)).status === 'awaiting_case_worker',
          60_000,
        );

        const w = await workbenchOf(e);
        const staff = await w.session({ id: 'sb.vorschau', name: 'Vera Vorschau', groups: ['sachbearbeitung'] });
        const page = (await w.page(`/workbench/cases/${caseId}`, staff)).body;
        const src = `/workbench/cases/${caseId}/documents/${sha256}?inline=1`;
        expect(page).toContain(
          `<object data="${src}" type="application/pdf" width="100%" height="480" aria-label="Vorschau: Zulassungsbescheinigung Teil I: zulassung.pdf">`,
        );
        expect(untranslatedKeys(page)).toEqual([]);
        // The page may embed the workbench's own documents, and nothing else.
        expect(
          String((await w.page(`/workbench/cases/${caseId}`, staff)).headers['content-security-policy']),
        ).toContain("object-src 'self'");
        const shown = await w.page(src, staff);
        expect(shown.statusCode).toBe(200);
        expect(shown.headers['content-type']).toBe('application/pdf');
        expect(shown.headers['content-disposition']).toBe('inline; filename="zulassung.pdf"');
        expect(shown.headers['content-security-policy']).toContain("frame-ancestors 'self'");
        expect(shown.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
        // Without `inline` it is a download, as before; a register's JSON answer is never shown inline.
        expect((await w.page(src.replace('?inline=1', ''), staff)).headers['content-disposition']).toMatch(
          /^attachment;/,
        );
        const answer = (await listRetrievalsOfCase(db, { caseId })).find((r) => r.documentSha256);
        const json = await w.page(`/workbench/cases/${caseId}/documents/${answer!.documentSha256}?inline=1`, staff);
        expect(json.headers['content-disposition']).toMatch(/^attachment;/);
        // Outside a session there is nothing to see.
        expect((await w.page(src, '')).statusCode).toBe(303);

        // In a real browser: axe finds nothing on the new page states, the Wiedervorlage is set by keyboard, and the
        // focus moves to the success message.
        await w.app.listen({ host: '127.0.0.1', port: 0 });
        const base = `http://127.0.0.1:${(w.app.server.address() as { port: number }).port}`;
        const browser = await launchChromium();
        onTestFinished(() => browser.close());
        const context = await browser.newContext();
        context.setDefaultTimeout(60_000);
        await context.addCookies([
          { name: 'wb_session', value: decodeURIComponent(staff.slice('wb_session='.length)), url: base },
        ]);
        const tab = await context.newPage();
        await tab.goto(`${base}/workbench/cases/${caseId}`);
        await expectAccessible(tab, 'the case page with an inline PDF upload');
        await tabTo(tab, tab.getByText('Auskunft lesen').first());
        await tab.keyboard.press('Enter');
        await tab.getByText('Art des Wohnsitzes').first().waitFor();
        await expectAccessible(tab, 'the case page with a register extract read as fields');
        await tabTo(tab, tab.getByText('Wiedervorlage', { exact: true }));
        await tab.keyboard.press('Enter');
        await tabTo(tab, tab.getByLabel('Wiedervorlage am'));
        await tab.getByLabel('Wiedervorlage am').fill(berlinDate(new Date()));
        await tabTo(tab, tab.getByLabel(/Notiz zur Wiedervorlage/));
        await tab.keyboard.type('Zulassung mit dem Original vergleichen');
        await expectAccessible(tab, 'the Wiedervorlage form');
        await tabTo(tab, tab.getByRole('button', { name: 'Wiedervorlage speichern' }));
        await tab.keyboard.press('Enter');
        await tab.getByRole('status').getByText('Die Wiedervorlage ist gespeichert.').waitFor();
        expect(await tab.evaluate(() => document.activeElement?.id), 'focus on the success message').toBe('notice');
        await expectAccessible(tab, 'the case page after setting a Wiedervorlage');
        await tab.goto(`${base}/workbench/inbox?followup=due&sort=followup`);
        await tab.getByText('Zulassung mit dem Original vergleichen').waitFor();
        await expectAccessible(tab, 'the inbox with saved filters and a Wiedervorlage due');
        await tabTo(tab, tab.getByRole('link', { name: 'Rückfrage offen' }));
        await tab.keyboard.press('Enter');
        await tab.waitForURL(/question=open/);
        await expectAccessible(tab, 'the inbox filtered by open questions');
      },
      { registers },
    );
  });

  it('„Überfällig“ leaves out the tasks whose due date rests while a question to the applicant is open', async () => {
    // An authority of this run only, with two overdue tasks: one waits for the applicant's answer.
    const authorityId = `ruht-${randomUUID().slice(0, 8)}`;
    const row = (n: number, openQuestionId: string | null) => ({
      taskId: `${authorityId}-${n}:review`,
      caseId: `${authorityId}-${n}`,
      kind: 'review_decision',
      serviceKey: 'x',
      authorityId,
      candidateGroup: `${authorityId}:sachbearbeitung`,
      reason: 'Prüfen',
      priority: 'normal' as const,
      state: 'open' as const,
      stage: 'decision' as const,
      fourEyes: false,
      openQuestionId,
      dueAt: new Date(Date.now() - 86_400_000),
      followUpAt: new Date(Date.now() - 2 * 86_400_000),
      version: 1,
    });
    await db.insert(tasks).values([row(1, null), row(2, `${authorityId}-2:review:q1`)]);
    const actor = { id: 'sb.x', role: 'case_worker' as const, authorityId };
    const overdue = await listTasks(db, inboxQuery(actor, inboxFilters({ due: 'overdue' })));
    expect(overdue.items.map((t) => t.taskId)).toEqual([`${authorityId}-1:review`]);
    const asking = await listTasks(db, inboxQuery(actor, inboxFilters({ question: 'open' })));
    expect(asking.items.map((t) => t.taskId)).toEqual([`${authorityId}-2:review`]);
  });
});

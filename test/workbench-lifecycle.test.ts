import { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { recordBekanntgabeOf } from '../activities/bekanntgabe.js';
import { findObjection } from '../db/queries/objections.js';
import { berlinDate } from '../services/legal-time.js';
import { expectAccessible, launchChromium } from './support/browser.js';
import { untranslatedKeys } from './support/untranslated.js';
import { testWorkbench } from './support/workbench.js';
import { db, httpApiFor, withWorker } from './harness.js';
import { applicantToken, call, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';

const SECRET = 'lifecycle-test-session-secret-32chars!';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');
const germanDay = (iso: string) => iso.split('-').reverse().join('.');

const apps: FastifyInstance[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

describe('the workbench shows the legal life of a decided case', { timeout: 240_000 }, () => {
  it('the Fristen panel names the Bekanntgabe and the deadlines; the objection screen shows the objection and decides it', async () => {
    await withWorker(async (e) => {
      const submission = applicationOf('other_zone', 10);
      const { caseId } = await e.cases.submit(submission);
      expect((await e.cases.result(caseId)).outcome).toBe('rejected');
      const { authorityId } = submission;
      const record = await recordBekanntgabeOf(db, {
        caseId,
        serviceKey: submission.serviceKey,
        authorityId,
        basis: 'manual_delivery',
        eventOn: berlinDate(new Date()),
      });

      const { app, signIn, page: pageAs } = await testWorkbench(e, SECRET);
      apps.push(app);
      const staff = await signIn({ id: 'sb.fristen', role: 'case_worker', authorityId, name: 'Fritz Frist' });
      const page = (url: string) => pageAs(url, staff);

      // The Fristen panel: Bekanntgabe and how, the remedy period's end, Bestandskraft; all in German.
      const before = (await page(`/workbench/cases/${caseId}`)).body;
      expect(before).toContain('<h2 id="fristen-h">Fristen</h2>');
      expect(before).toContain(`<th scope="row">Bekanntgabe</th><td>${germanDay(record.bekanntgabeOn)}</td>`);
      expect(before).toContain('Zustellung oder Übergabe auf anderem Weg');
      expect(before).toContain(
        `<th scope="row">Ende der Widerspruchsfrist</th><td>${germanDay(record.remedyPeriodEndsOn)}</td>`,
      );
      expect(before).toContain(`<th scope="row">Bestandskraft</th><td>${germanDay(record.finalOn)}</td>`);
      expect(untranslatedKeys(before)).toEqual([]);

      // The applicant objects with an attachment.
      const api = await httpApiFor(e);
      const applicant = await applicantToken(submission.identity.subject);
      const filed = await call(api, 'POST', `/cases/${caseId}/objection`, applicant, {
        reasons: 'Ich wohne seit März in der Zone.',
        attachments: [{ fileName: 'meldebescheinigung.pdf', content: PDF }],
      });
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      await api.close();
      await waitFor(
        'the abhilfe task',
        async () => (await e.tasks.find(`${caseId}:abhilfe`))?.state === 'open',
        60_000,
      );
      const after = (await page(`/workbench/cases/${caseId}`)).body;
      expect(after).toContain(`<th scope="row">Bestandskraft</th><td>Widerspruch eingelegt</td>`);
      expect(after).toContain(`href="/workbench/cases/${caseId}/objection"`);

      // The objection screen: receipt, reasons, the attachment through the access-logged document route, the stage.
      const screen = await page(`/workbench/cases/${caseId}/objection`);
      expect(screen.statusCode).toBe(200);
      expect(screen.body).toContain('Ich wohne seit März in der Zone.');
      expect(screen.body).toMatch(
        /href="\/workbench\/cases\/[0-9a-f-]{36}\/documents\/[0-9a-f]{64}">meldebescheinigung\.pdf/,
      );
      expect(screen.body).toContain('Abhilfeprüfung bei der Ausgangsbehörde (§ 72 VwGO)');
      expect(untranslatedKeys(screen.body)).toEqual([]);
      const attachment = /documents\/([0-9a-f]{64})">meldebescheinigung/.exec(screen.body)![1];
      expect((await page(`/workbench/cases/${caseId}/documents/${attachment}`)).statusCode).toBe(200);

      // In a real browser: axe finds nothing; the decision through the form moves the stage.
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const browser = await launchChromium();
      onTestFinished(() => browser.close());
      const context = await browser.newContext();
      context.setDefaultTimeout(60_000);
      await context.addCookies([
        { name: 'wb_session', value: decodeURIComponent(staff.slice('wb_session='.length)), url: base },
      ]);
      const tab = await context.newPage();
      await tab.goto(`${base}/workbench/cases/${caseId}`);
      await expectAccessible(tab, 'the case page with the Fristen panel');
      await tab.goto(`${base}/workbench/cases/${caseId}/objection`);
      await expectAccessible(tab, 'the objection screen with the Abhilfe form');
      await tab.getByLabel('Nicht abhelfen: der Widerspruchsbehörde vorlegen').check();
      await tab.getByLabel(/^Gründe/).fill('Die Meldebescheinigung nennt eine Anschrift außerhalb der Zone.');
      await tab.getByRole('button', { name: 'Entscheidung speichern' }).click();
      await tab.getByRole('status').getByText('Die Entscheidung ist gespeichert.').waitFor();
      await waitFor(
        'the objection at the objection authority',
        async () => (await findObjection(db, { caseId }))?.stage === 'objection_authority',
        60_000,
      );
      await tab.reload();
      await tab.getByText('bei der Widerspruchsbehörde (§ 73 VwGO)').first().waitFor();
      await expectAccessible(tab, 'the objection screen with the Widerspruchsbescheid form');
    });
  });
});

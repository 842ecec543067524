import SwaggerParser from '@apidevtools/swagger-parser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { buildHttpApi } from '../http/http-api.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { CaseFiles } from '../http/workbench/index.js';
import { HttpPostbox } from '../adapters/http-postbox.js';
import { client, db, publicBaseUrl, testDeps, withWorker, type TestEngine } from './harness.js';
import { applicantToken, call, idp, staffToken, tokenAudience, tokens, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { findAkte } from '../db/queries/akte.js';
import { recordStaffLogin } from '../db/queries/staff-directory.js';
import { untranslatedKeys } from './support/untranslated.js';
import { expectAccessible, expectNoPageScroll, launchChromium, screenshot, tabTo } from './support/browser.js';

const STADT = 'stadt-musterstadt';
const DORF = 'gemeinde-beispieldorf';
const SHOTS = new URL('../docs/screenshots/', import.meta.url).pathname;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile; generous waits, since the machine running the tests may be busy. */
async function newContext(o: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext(o);
  context.setDefaultTimeout(90_000);
  return context;
}

/** The whole HTTP API with the workbench, listening on a free port; login at the sandbox identity provider. */
async function serve(e: TestEngine): Promise<{ api: FastifyInstance; base: string }> {
  const api = await buildHttpApi({
    cases: e.cases,
    tasks: e.tasks,
    auth: jwtVerifier(tokens.keys, tokenAudience),
    identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
    workbench: {
      files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }),
      db,
      letters: { documents: e.deps.documents, postbox: e.deps.postbox },
      pages: {
        login: { issuer: idp.issuer, clientId: 'ozg-workbench' },
        sessionSecret: 'test-session-secret-of-32-characters!',
      },
    },
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const { port } = api.server.address() as { port: number };
  return { api, base: `http://127.0.0.1:${port}` };
}

const NAMES: Array<[string, string]> = [
  ['Hanna', 'Müller'],
  ['Jörg', 'Weiß'],
  ['Ayşe', 'Yılmaz'],
  ['Lukas', 'Becker'],
];

/** An escalated company-car case of a named applicant, with its task in the inbox projection. */
async function escalatedCase(e: TestEngine, authorityId: string, nth: number) {
  const submission = { ...applicationOf('company_car', nth), authorityId };
  const [givenName, familyName] = NAMES[nth % NAMES.length]!;
  submission.identity = { ...submission.identity, name: { givenName, familyName } };
  const { caseId } = await e.cases.submit(submission);
  const taskId = `${caseId}:review`;
  await waitFor('the task in the inbox', async () => (await e.tasks.find(taskId))?.state === 'open', 90_000);
  const { aktenzeichen } = (await findAkte(db, { caseId }))!;
  const { licensePlate } = submission.application as { licensePlate: string };
  return { caseId, taskId, subject: submission.identity.subject, aktenzeichen, licensePlate, givenName, familyName };
}

/** Logs in at the sandbox provider's page as the named staff member, with the keyboard. */
async function logIn(context: BrowserContext, base: string, who: string, path = '/workbench/'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  await page.getByRole('heading', { name: /Anmeldung für Beschäftigte/ }).waitFor();
  await tabTo(page, page.getByRole('button', { name: new RegExp(who) }));
  await page.keyboard.press('Enter');
  await page.getByText(/Angemeldet:/).waitFor();
  return page;
}

// A browser, a worker and whole cases per test: slower than the 60 s default on a loaded machine.
// The longest flow walks a case through a dozen pages in a real browser (47 s on loaded 2 cores).
describe('workbench in a real browser (Chromium, real Temporal and PostgreSQL)', { timeout: 150_000 }, () => {
  it('a case worker logs in, finds an escalated case, reads why, asks the applicant, gets the answer and approves, by keyboard', async () => {
    await withWorker(async (e) => {
      const { api, base } = await serve(e);
      try {
        const { caseId, subject, aktenzeichen, licensePlate } = await escalatedCase(e, STADT, 0);
        const context = await newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${base}/workbench/`);
        await page.getByRole('heading', { name: /Anmeldung für Beschäftigte/ }).waitFor();
        await expectAccessible(page, 'the sandbox login page');
        await tabTo(page, page.getByRole('button', { name: /Anna Albers/ }));
        await page.keyboard.press('Enter');

        await page.getByRole('heading', { name: 'Aufgaben', level: 1 }).waitFor();
        await expect.poll(() => page.getByText('Angemeldet: Anna Albers').count()).toBe(1);
        await expectAccessible(page, 'the full inbox');
        // Found by licence plate as typed (lower case, no hyphen), then by name; the row says who and which file.
        await tabTo(page, page.getByLabel(/Suchen/));
        await page.keyboard.type(licensePlate.toLowerCase().replace('-', ''));
        await page.keyboard.press('Enter');
        await page.waitForURL(/q=/);
        expect(await page.getByRole('link', { name: aktenzeichen }).count()).toBe(1);
        await tabTo(page, page.getByLabel(/Suchen/));
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.type('hanna müller');
        await page.keyboard.press('Enter');
        await page.waitForURL(/q=hanna/);
        const link = page.getByRole('link', { name: aktenzeichen });
        expect(await link.count()).toBe(1);
        // Her row names who applied (other tests' cases of the same sample applicant may be listed too).
        expect(
          await page
            .getByRole('row', { name: /Hanna Müller/ })
            .filter({ has: link })
            .count(),
        ).toBe(1);
        await expectAccessible(page, 'the inbox searched by name');
        await screenshot(page, `${SHOTS}inbox.png`);
        await tabTo(page, link);
        await page.keyboard.press('Enter');

        await page.getByRole('heading', { name: /Akte/, level: 1 }).waitFor();
        const why = page.locator('section', { has: page.getByRole('heading', { name: 'Warum der Fall hier ist' }) });
        expect(await why.textContent()).toMatch(/Firmen/);
        expect(await why.textContent()).toMatch(/Regelwerk/);
        expect(
          await page
            .locator('section', { has: page.getByRole('heading', { name: 'Antrag' }) })
            .locator('dt')
            .count(),
        ).toBeGreaterThan(2);
        await expectAccessible(page, 'the case file with an open task');
        expect(untranslatedKeys(await page.content())).toEqual([]);

        await tabTo(page, page.getByRole('button', { name: 'Aufgabe übernehmen' }));
        await page.keyboard.press('Enter');
        await page.getByRole('status').getByText('übernommen').waitFor();

        await tabTo(page, page.getByText('Antragsteller/in fragen'));
        await page.keyboard.press('Enter');
        await expectAccessible(page, 'the ask-the-applicant dialog');
        await tabTo(page, page.getByLabel('Text an Antragsteller/in'));
        await page.keyboard.type('Bitte legen Sie den Überlassungsvertrag für den Firmenwagen vor.');
        await tabTo(page, page.getByRole('button', { name: 'Rückfrage senden' }));
        await page.keyboard.press('Enter');
        await page.getByRole('status').getByText('Rückfrage ist gesendet').waitFor();
        // While the question is open, the inbox row says so.
        await tabTo(page, page.getByRole('link', { name: 'Zurück zu den Aufgaben' }));
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: 'Aufgaben', level: 1 }).waitFor();
        await expect
          .poll(() =>
            page
              .getByRole('row', { name: /Hanna Müller/ })
              .getByText('Rückfrage offen')
              .count(),
          )
          .toBe(1);
        await expectAccessible(page, 'the inbox with a question open');
        await tabTo(page, page.getByRole('link', { name: aktenzeichen }));
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: /Akte/, level: 1 }).waitFor();

        const questionId = (await e.cases.status(caseId)).task?.openQuestion?.questionId;
        expect(questionId).toBeTruthy();
        const replied = await call(api, 'POST', `/cases/${caseId}/replies`, await applicantToken(subject), {
          questionId,
          answer: 'Vertrag liegt bei: private Nutzung ist erlaubt.',
        });
        expect(replied.status).toBe(200);
        await waitFor(
          'the reply in the case file',
          async () => {
            await page.reload();
            return (await page.getByText('private Nutzung ist erlaubt').count()) > 0;
          },
          90_000,
        );

        // A justification of blanks passes the browser's check but not the server's: the error is announced, nothing changes.
        await tabTo(page, page.getByLabel('Bewilligen'));
        await page.keyboard.press('Space');
        await tabTo(page, page.getByLabel(/Gründe für den Bescheid/));
        await page.keyboard.type('Der Überlassungsvertrag erlaubt die private Nutzung.');
        await tabTo(page, page.getByLabel(/Interne Begründung/));
        await page.keyboard.type('   ');
        await tabTo(page, page.getByRole('button', { name: 'Entscheidung speichern' }));
        await page.keyboard.press('Enter');
        await page.getByRole('alert').getByText('Bitte begründen Sie die Entscheidung').waitFor();
        await expectAccessible(page, 'the case file with an error message');
        expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');

        await tabTo(page, page.getByLabel(/Interne Begründung/));
        await page.keyboard.type('Überlassungsvertrag belegt die private Nutzung.');
        await tabTo(page, page.getByRole('button', { name: 'Entscheidung speichern' }));
        await page.keyboard.press('Enter');
        await page.getByRole('status').getByText('Entscheidung ist gespeichert').waitFor();
        const result = await e.cases.result(caseId);
        expect(result.outcome).toBe('approved');
        expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.anna' });
        await page.reload();
        await screenshot(page, `${SHOTS}case-file.png`);
        await expectAccessible(page, 'the decided case file');
        expect(untranslatedKeys(await page.content())).toEqual([]);

        // 200 % zoom: half the width, the page reflows without scrolling sideways.
        await page.setViewportSize({ width: 640, height: 900 });
        await expectNoPageScroll(page);
        await page.goto(`${base}/workbench/inbox`);
        await expectNoPageScroll(page);
        await context.close();
      } finally {
        await api.close();
      }
    });
  });

  it('a note, a document request from a template, four-eyes with one send-back, the Bescheid previewed then sent: by keyboard', async () => {
    await withWorker(async (e) => {
      const { api, base } = await serve(e);
      try {
        const { caseId, aktenzeichen } = await escalatedCase(e, DORF, 1);
        const dora = await newContext();
        const page = await logIn(dora, base, 'Dora Dietz', `/workbench/cases/${caseId}`);
        const focusedNotice = async (p: Page, text: string | RegExp) => {
          await p.getByRole('status').getByText(text).waitFor();
          // autofocus moves the focus once the page has loaded, a moment after the text shows.
          await expect
            .poll(() => p.evaluate(() => document.activeElement?.id), { message: 'focus on the success message' })
            .toBe('notice');
        };

        // A Vermerk: in the Akte, shown on the case page, for staff only.
        await tabTo(page, page.getByLabel('Neuer Vermerk'));
        await page.keyboard.type('Telefonat mit dem Arbeitgeber: Privatnutzung erlaubt.');
        await tabTo(page, page.getByRole('button', { name: 'Vermerk speichern' }));
        await page.keyboard.press('Enter');
        await focusedNotice(page, 'Der Vermerk ist in der Akte gespeichert.');
        await page.getByText('Telefonat mit dem Arbeitgeber: Privatnutzung erlaubt.').waitFor();
        await expectAccessible(page, 'the case file with a Vermerk');

        // A document request from the service's template: filled in, previewed as a draft, sent once.
        await tabTo(page, page.getByLabel('Vorlage', { exact: true }));
        await page.keyboard.press('Enter');
        await tabTo(page, page.getByRole('button', { name: 'Vorlage einsetzen' }));
        await page.keyboard.press('Enter');
        await page.getByLabel('Betreff').waitFor();
        expect(await page.getByLabel('Betreff').inputValue()).toBe('Bitte reichen Sie Unterlagen nach');
        await expectAccessible(page, 'the letter form with the template filled in');
        const body = page.getByLabel(/^Text \(Absätze/);
        await body.fill((await body.inputValue()).replace('[bitte ergänzen]', 'den Überlassungsvertrag'));
        const letterForm = page.locator('form').filter({ has: page.getByLabel('Betreff') });
        const formValues = async (form: ReturnType<Page['locator']>) =>
          Object.fromEntries(
            await form
              .locator('input[type=hidden], textarea, input[name]')
              .evaluateAll((els) => els.map((el) => [(el as HTMLInputElement).name, (el as HTMLInputElement).value])),
          ) as Record<string, string>;
        const letterPreview = await page.request.post(`${base}/workbench/cases/${caseId}/letters`, {
          form: { ...(await formValues(letterForm)), step: 'preview' },
        });
        expect(letterPreview.status()).toBe(200);
        expect(letterPreview.headers()['content-type']).toBe('application/pdf');
        await tabTo(page, page.getByRole('button', { name: 'Schreiben senden' }));
        await page.keyboard.press('Enter');
        await focusedNotice(page, /Das Schreiben ist an das Postfach/);
        await page.getByRole('link', { name: /Bitte reichen Sie Unterlagen nach \(PDF\)/ }).waitFor();
        await expectAccessible(page, 'the case file with a sent letter');

        // Dora proposes; the second look offers no other outcome, only approval or a send-back with a note.
        await tabTo(page, page.getByRole('button', { name: 'Aufgabe übernehmen' }));
        await page.keyboard.press('Enter');
        await focusedNotice(page, 'übernommen');
        expect(await page.getByText(/Ihre Entscheidung ist ein Vorschlag/).count()).toBe(1);
        // A radio group is one Tab stop: the arrow key moves to „Ablehnen“ and selects it.
        await tabTo(page, page.getByLabel('Bewilligen'));
        await page.keyboard.press('ArrowDown');
        expect(await page.getByLabel('Ablehnen').isChecked()).toBe(true);
        await tabTo(page, page.getByLabel(/Gründe für den Bescheid/));
        await page.keyboard.type('Eine private Nutzung des Fahrzeugs ist nicht belegt.');
        await tabTo(page, page.getByLabel(/Interne Begründung/));
        await page.keyboard.type('Intern: Lohnabrechnung zeigt Dienstwagen.');
        await tabTo(page, page.getByRole('button', { name: 'Vorschlag abgeben' }));
        await page.keyboard.press('Enter');
        await focusedNotice(page, 'Entscheidung ist gespeichert');
        expect(await page.getByText(/zweite Freigabe muss eine andere Person geben/).count()).toBe(1);

        const emil = await newContext();
        const second = await logIn(emil, base, 'Emil Engel', `/workbench/inbox?q=${caseId}`);
        expect(await second.getByText('zweite Freigabe').count()).toBeGreaterThan(0);
        await tabTo(second, second.getByRole('link', { name: aktenzeichen }));
        await second.keyboard.press('Enter');
        await tabTo(second, second.getByRole('button', { name: 'Aufgabe übernehmen' }));
        await second.keyboard.press('Enter');
        await second.getByRole('heading', { name: 'Zweite Freigabe' }).waitFor();
        expect(await second.getByLabel('Ablehnen').count()).toBe(0);
        expect(await second.getByText('Eine private Nutzung des Fahrzeugs ist nicht belegt.').count()).toBeGreaterThan(
          0,
        );
        await expectAccessible(second, 'the second approval');
        await tabTo(second, second.getByLabel(/Hinweis an Dora Dietz/));
        await second.keyboard.type('Bitte den Überlassungsvertrag aus dem Schreiben abwarten.');
        await tabTo(second, second.getByRole('button', { name: 'Mit Hinweis zurückgeben' }));
        await second.keyboard.press('Enter');
        await focusedNotice(second, /zurückgegangen/);

        // Dora's task is open again with Emil's note; she proposes again.
        await page.reload();
        await page
          .getByText(/Bitte den Überlassungsvertrag aus dem Schreiben abwarten/)
          .first()
          .waitFor();
        await expectAccessible(page, 'the task sent back with a note');
        // A radio group is one Tab stop: the arrow key moves to „Ablehnen“ and selects it.
        await tabTo(page, page.getByLabel('Bewilligen'));
        await page.keyboard.press('ArrowDown');
        expect(await page.getByLabel('Ablehnen').isChecked()).toBe(true);
        await tabTo(page, page.getByLabel(/Gründe für den Bescheid/));
        await page.keyboard.type('Eine private Nutzung des Fahrzeugs ist nicht belegt.');
        await tabTo(page, page.getByLabel(/Interne Begründung/));
        await page.keyboard.type('Intern: Frist für den Vertrag ist verstrichen.');
        await tabTo(page, page.getByRole('button', { name: 'Vorschlag abgeben' }));
        await page.keyboard.press('Enter');
        await focusedNotice(page, 'Entscheidung ist gespeichert');

        // Emil previews the Bescheid (a draft, not filed), then approves.
        await second.reload();
        await tabTo(second, second.getByRole('button', { name: 'Aufgabe übernehmen' }));
        await second.keyboard.press('Enter');
        await second.getByRole('heading', { name: 'Zweite Freigabe' }).waitFor();
        const approveForm = second.locator('form').filter({ has: second.getByRole('button', { name: 'Freigeben' }) });
        const preview = await second.request.post(`${base}/workbench/cases/${caseId}/bescheid-preview`, {
          form: await formValues(approveForm),
        });
        expect(preview.status()).toBe(200);
        expect(preview.headers()['content-type']).toBe('application/pdf');
        expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');
        await tabTo(second, second.getByLabel(/Vermerk zur Freigabe/));
        await second.keyboard.type('Vier-Augen-Prüfung: Ablehnung bestätigt.');
        await tabTo(second, second.getByRole('button', { name: 'Freigeben' }));
        await second.keyboard.press('Enter');
        await focusedNotice(second, 'Entscheidung ist gespeichert');
        const result = await e.cases.result(caseId);
        expect(result.outcome).toBe('rejected');
        expect(result.decision?.decidedBy).toEqual({ caseWorker: 'sb.dora', confirmedBy: 'sb.emil' });
        await second.reload();
        await second.getByRole('link', { name: /Bescheid herunterladen/ }).waitFor();
        await expectAccessible(second, 'the decided case with its Vermerke');
        await dora.close();
        await emil.close();
      } finally {
        await api.close();
      }
    });
  });

  it("another authority's case is not reachable: not in the inbox, not as a page, not in the case-file API", async () => {
    await withWorker(async (e) => {
      const { api, base } = await serve(e);
      try {
        const { caseId, givenName, familyName, aktenzeichen } = await escalatedCase(e, STADT, 2);
        const dora = await newContext();
        const page = await logIn(dora, base, 'Dora Dietz', `/workbench/inbox?q=${caseId}`);
        await page.getByText('Keine Aufgaben gefunden.').waitFor();
        await expectAccessible(page, 'the empty inbox');
        const res = await page.goto(`${base}/workbench/cases/${caseId}`);
        expect(res?.status()).toBe(404);
        expect(await page.getByRole('alert').textContent()).toMatch(/gehört nicht zu Ihrer Behörde/);
        await expectAccessible(page, 'the not-found page');
        const bad = await page.goto(`${base}/workbench/inbox?q=${encodeURIComponent('<script>')}`);
        expect(bad?.status()).toBe(200);
        await page.getByText('Keine Aufgaben gefunden.').waitFor();
        expect(await page.getByLabel(/Suchen/).inputValue()).toBe('<script>');
        // Nor by the applicant's name or the Aktenzeichen: the search stays within her authority.
        for (const q of [`${givenName} ${familyName}`, aktenzeichen]) {
          await page.goto(`${base}/workbench/inbox?q=${encodeURIComponent(q)}`);
          await page.getByText('Keine Aufgaben gefunden.').waitFor();
        }
        await dora.close();

        const foreign = await staffToken('sb.dora', DORF);
        const own = await staffToken('sb.anna', STADT);
        for (const panel of ['overview', 'application', 'evidence', 'decision', 'summary', 'timeline']) {
          expect((await call(api, 'GET', `/cases/${caseId}/file/${panel}`, foreign)).status).toBe(404);
          expect((await call(api, 'GET', `/cases/${caseId}/file/${panel}`, own)).status).toBe(200);
        }
        expect(
          (await call(api, 'GET', `/cases/${caseId}/file/overview`, await applicantToken('pseudonym-x'))).status,
        ).toBe(404);
        expect((await call(api, 'GET', `/cases/${caseId}/file/overview`)).status).toBe(401);
        const application = (await call(api, 'GET', `/cases/${caseId}/file/application`, own)).body;
        expect(application.fields).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ path: 'address.postalCode', label: 'Anschrift › Postleitzahl' }),
          ]),
        );
        const evidence = (await call(api, 'GET', `/cases/${caseId}/file/evidence`, own)).body;
        const download = evidence.retrievals.find((r: { download: string | null }) => r.download)?.download as string;
        const doc = await api.inject({ method: 'GET', url: download, headers: { authorization: `Bearer ${own}` } });
        expect(doc.statusCode).toBe(200);
        expect(
          (await api.inject({ method: 'GET', url: download, headers: { authorization: `Bearer ${foreign}` } }))
            .statusCode,
        ).toBe(404);
        const doc404 = `/cases/${caseId}/file/documents/${'0'.repeat(64)}`;
        expect(
          (await api.inject({ method: 'GET', url: doc404, headers: { authorization: `Bearer ${own}` } })).statusCode,
        ).toBe(404);
        const openapi = (await call(api, 'GET', '/openapi.json')).body;
        await SwaggerParser.validate(structuredClone(openapi));
        expect(Object.keys(openapi.paths)).toEqual(
          expect.arrayContaining([
            '/cases/{caseId}/file/application',
            '/cases/{caseId}/file/decision',
            '/cases/{caseId}/file/documents/{sha256}',
          ]),
        );
        expect(openapi.paths['/cases/{caseId}/file/decision'].get.security).toEqual([{ bearer: [] }]);
        expect(Object.keys(openapi.paths).some((p: string) => p.startsWith('/workbench'))).toBe(false);
      } finally {
        await api.close();
      }
    });
  });

  it('a stale page meets a task someone else completed, and keeps what the user typed', async () => {
    await withWorker(async (e) => {
      const { api, base } = await serve(e);
      try {
        const first = await escalatedCase(e, STADT, 3);
        const anna = await newContext();
        const page = await logIn(anna, base, 'Anna Albers', `/workbench/cases/${first.caseId}`);
        await page.getByRole('button', { name: 'Aufgabe übernehmen' }).waitFor();
        // Meanwhile Ben claims and decides the same task through the API.
        const ben = { id: 'sb.ben', role: 'case_worker' as const, authorityId: STADT };
        await e.tasks.act(first.caseId, { action: 'claim', taskId: first.taskId, actor: ben });
        await e.tasks.act(first.caseId, {
          action: 'complete',
          taskId: first.taskId,
          actor: ben,
          outcome: 'approve',
          justification: 'Erledigt.',
        });
        await page.getByRole('button', { name: 'Aufgabe übernehmen' }).click();
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.textContent()).toMatch(/inzwischen erledigt|abgeschlossen/);
        expect(await alert.textContent()).toMatch(/sb\.ben/);
        await expectAccessible(page, 'the stale-page message');

        // Anna is writing her decision when her supervisor gives the task to Ben: her text stays on the page.
        const second = await escalatedCase(e, STADT, 4);
        await page.goto(`${base}/workbench/cases/${second.caseId}`);
        await page.getByRole('button', { name: 'Aufgabe übernehmen' }).click();
        await page.getByRole('status').getByText('übernommen').waitFor();
        await page.getByLabel('Ablehnen').check();
        const typed = 'Die Nutzung ist nicht belegt; siehe Registerauskunft.';
        await page.getByLabel(/Gründe für den Bescheid/).fill('Die private Nutzung ist nicht belegt.');
        await page.getByLabel(/Interne Begründung/).fill(typed);
        const chef = { id: 'sv.chef', role: 'supervisor' as const, authorityId: STADT };
        await e.tasks.act(second.caseId, {
          action: 'reassign',
          taskId: second.taskId,
          actor: chef,
          assignee: 'sb.ben',
          reason: 'Urlaub',
        });
        await page.getByRole('button', { name: 'Entscheidung speichern' }).click();
        await page.getByRole('alert').waitFor();
        const message = await page.getByRole('alert').textContent();
        expect(message).toMatch(/bearbeitet sb\.ben/);
        expect(message).toMatch(/Ihre Eingaben sind erhalten/);
        expect(await page.locator('textarea[name=justification]').inputValue()).toBe(typed);
        await expectAccessible(page, 'the refused decision with the kept draft');
        expect((await e.cases.status(second.caseId)).status).toBe('awaiting_case_worker');
        await anna.close();
      } finally {
        await api.close();
      }
    });
  });

  it('supervisors see overdue tasks and reassign several at once with a reason', async () => {
    await withWorker(async (e) => {
      const { api, base } = await serve(e);
      try {
        const submissions = [5, 6].map((nth) => ({
          ...applicationOf('company_car', nth),
          authorityId: STADT,
          deadlines: { caseWorkerMs: 1_500, caseWorkerReminderMs: 1_000 },
        }));
        const caseIds = await Promise.all(submissions.map(async (s) => (await e.cases.submit(s)).caseId));
        for (const id of caseIds)
          await waitFor(
            'the overdue escalation',
            async () => Boolean((await e.tasks.find(`${id}:review`))?.escalatedAt),
            90_000,
          );
        await recordStaffLogin(db, {
          authorityId: STADT,
          staffId: 'sb.ben',
          displayName: 'Ben Brandt',
          role: 'case_worker',
        });
        const chef = await newContext();
        const page = await logIn(chef, base, 'Clara Chef', '/workbench/inbox?due=overdue');
        for (const id of caseIds) {
          const { aktenzeichen } = (await findAkte(db, { caseId: id }))!;
          expect(await page.getByRole('link', { name: aktenzeichen }).count()).toBe(1);
          await page.getByLabel(`Aufgabe zu Akte ${aktenzeichen} auswählen`).check();
        }
        await expectAccessible(page, 'the overdue view with bulk reassignment');
        // Colleagues are chosen by name from the staff directory (filled at each login; Ben logged in before).
        await page.getByLabel('Neue Bearbeitung').selectOption({ label: 'Ben Brandt' });
        await page.getByLabel('Grund').fill('Vertretung während des Urlaubs');
        await page.getByRole('button', { name: 'Neu zuweisen' }).click();
        await page.getByRole('status').getByText('2 Aufgabe(n) neu zugewiesen').waitFor();
        for (const id of caseIds)
          expect(await e.tasks.find(`${id}:review`)).toMatchObject({ assignee: 'sb.ben', state: 'claimed' });
        const events = (
          await call(api, 'GET', `/cases/${caseIds[0]}/file/timeline`, await staffToken('sv.chef', STADT, 'supervisor'))
        ).body.events;
        expect(events.find((x: { type: string }) => x.type === 'task.reassigned')?.data).toMatchObject({
          by: 'sv.chef',
          reason: 'Vertretung während des Urlaubs',
        });
        await chef.close();
      } finally {
        await api.close();
      }
    });
  });

  it('a Bescheid the postbox would not take is delivered by hand and reported done once', async () => {
    const down = new HttpPostbox({ url: 'http://127.0.0.1:9', documents: testDeps().documents, db, timeoutMs: 500 });
    await withWorker(
      async (e) => {
        const { api, base } = await serve(e);
        try {
          const submission = { ...applicationOf('resident', 6), deadlines: { deliveryGiveUpMs: 2_000 } };
          expect(submission.authorityId).toBe(STADT);
          const { caseId } = await e.cases.submit(submission);
          expect((await e.cases.result(caseId)).delivery.status).toBe('handed_over');
          const taskId = `${caseId}:delivery`;
          const anna = await newContext();
          const page = await logIn(anna, base, 'Anna Albers', `/workbench/inbox?q=${caseId}`);
          expect(await page.getByText('Bescheid auf anderem Weg zustellen').count()).toBe(1);
          await page.getByRole('link', { name: (await findAkte(db, { caseId }))!.aktenzeichen }).click();
          await page.getByLabel('Zugestellt per').selectOption('registered_mail');
          await page.getByLabel('Vermerk (z. B. Sendungsnummer)').fill('Sendung RR123456789DE');
          await expectAccessible(page, 'the case file with a manual-delivery task');
          await page.getByRole('button', { name: 'Zustellung als erledigt melden' }).click();
          await page.getByRole('status').getByText('Zustellung ist als erledigt gemeldet').waitFor();
          expect(await e.tasks.find(taskId)).toMatchObject({ state: 'completed', completedBy: 'sb.anna' });
          const again = await call(api, 'POST', `/tasks/${taskId}/manual-delivery`, await staffToken('sb.ben', STADT), {
            channel: 'in_person',
          });
          expect(again.status).toBe(409);
          expect(
            (
              await call(api, 'POST', `/tasks/${taskId}/manual-delivery`, await staffToken('sb.dora', DORF), {
                channel: 'in_person',
              })
            ).status,
          ).toBe(404);
          await anna.close();
        } finally {
          await api.close();
        }
      },
      { postbox: down },
    );
  });
});

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { jwtVerifier } from '../auth/tokens.js';
import { buildHttpApi } from '../client/http-api.js';
import { OidcTokenVerifier } from '../identity/token-verifier.js';
import { CaseFiles } from '../workbench/index.js';
import { client, db, publicBaseUrl, withWorker, type TestEngine } from './harness.js';
import { applicantToken, call, idp, staffToken, tokenAudience, tokens, waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';
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
      pages: { login: { issuer: idp.issuer, clientId: 'ozg-workbench' }, sessionSecret: 'test-session-secret-of-32-characters!' },
    },
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const { port } = api.server.address() as { port: number };
  return { api, base: `http://127.0.0.1:${port}` };
}

/** An escalated company-car case with its task in the inbox projection. */
async function escalatedCase(e: TestEngine, authorityId: string, nth: number) {
  const submission = { ...applicationOf('company_car', nth), authorityId };
  const { caseId } = await e.cases.submit(submission);
  const taskId = `${caseId}:review`;
  await waitFor('the task in the inbox', async () => (await e.tasks.find(taskId))?.state === 'open');
  return { caseId, taskId, subject: submission.identity.subject };
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

describe('workbench in a real browser (Chromium, real Temporal and PostgreSQL)', () => {
  it('a case worker logs in, finds an escalated case, reads why, asks the applicant, gets the answer and approves, by keyboard', async () => {
    await withWorker(async (e) => {
      const { api, base } = await serve(e);
      try {
        const { caseId, subject } = await escalatedCase(e, STADT, 0);
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${base}/workbench/`);
        await page.getByRole('heading', { name: /Anmeldung für Beschäftigte/ }).waitFor();
        await expectAccessible(page, 'the sandbox login page');
        await tabTo(page, page.getByRole('button', { name: /Anna Albers/ }));
        await page.keyboard.press('Enter');

        await page.getByRole('heading', { name: 'Aufgaben', level: 1 }).waitFor();
        await expect.poll(() => page.getByText('Angemeldet: Anna Albers').count()).toBe(1);
        await expectAccessible(page, 'the full inbox');
        await tabTo(page, page.getByLabel(/Akte suchen/));
        await page.keyboard.type(caseId.slice(0, 13));
        await page.keyboard.press('Enter');
        await page.waitForURL(/q=/);
        const link = page.getByRole('link', { name: caseId });
        expect(await link.count()).toBe(1);
        await screenshot(page, `${SHOTS}inbox.png`);
        await tabTo(page, link);
        await page.keyboard.press('Enter');

        await page.getByRole('heading', { name: /Akte/, level: 1 }).waitFor();
        const why = page.locator('section', { has: page.getByRole('heading', { name: 'Warum der Fall hier ist' }) });
        expect(await why.textContent()).toMatch(/Firmen/);
        expect(await why.textContent()).toMatch(/Regelwerk/);
        expect(await page.locator('section', { has: page.getByRole('heading', { name: 'Antrag' }) }).locator('dt').count()).toBeGreaterThan(2);
        await expectAccessible(page, 'the case file with an open task');

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

        const questionId = (await e.cases.status(caseId)).task?.openQuestion?.questionId;
        expect(questionId).toBeTruthy();
        const replied = await call(api, 'POST', `/cases/${caseId}/replies`, await applicantToken(subject), { questionId, answer: 'Vertrag liegt bei: private Nutzung ist erlaubt.' });
        expect(replied.status).toBe(200);
        await waitFor('the reply in the case file', async () => {
          await page.reload();
          return (await page.getByText('private Nutzung ist erlaubt').count()) > 0;
        });

        // A justification of blanks passes the browser's check but not the server's: the error is announced, nothing changes.
        await tabTo(page, page.getByLabel('Bewilligen'));
        await page.keyboard.press('Space');
        await tabTo(page, page.getByLabel('Begründung'));
        await page.keyboard.type('   ');
        await tabTo(page, page.getByRole('button', { name: 'Entscheidung speichern' }));
        await page.keyboard.press('Enter');
        await page.getByRole('alert').getByText('Bitte begründen Sie die Entscheidung').waitFor();
        await expectAccessible(page, 'the case file with an error message');
        expect((await e.cases.status(caseId)).status).toBe('awaiting_case_worker');

        await tabTo(page, page.getByLabel('Begründung'));
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
});

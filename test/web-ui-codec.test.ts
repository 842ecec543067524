import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../dev/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecCallerVerifier } from '../platform/auth/tokens.js';
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { AesGcmCodec } from '../platform/codec/aes-gcm-codec.js';
import { startCodecServer } from '../platform/codec/server.js';
import { caseWorkflowStart } from '../client/case-client.js';
import { loadConfig } from '../platform/config.js';
import { startTemporalDevServer, type DevServer } from '../dev/temporal-dev-server.js';
import { tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { launchChromium, screenshot } from './support/browser.js';
import { testAuthorities, testKeyRing } from './support/codec.js';

const application = applicationOf('resident', 9);
const street = (application.application['address'] as { street: string }).street;
let caseId: string;
let dir: string;
let server: DevServer;
let codec: Awaited<ReturnType<typeof startCodecServer>>;
let browser: Browser;
let workflowUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ozg-ui-'));
  const uiPort = await freePort();
  const ui = `http://localhost:${uiPort}`;
  codec = await startCodecServer({
    codec: new AesGcmCodec(testKeyRing, { authorities: testAuthorities }),
    auth: codecCallerVerifier(tokens.keys, tokenAudience),
    corsOrigins: [ui],
    port: 0,
  });
  const endpoint = codec.endpoint.replace('127.0.0.1', 'localhost');
  server = await startTemporalDevServer({
    cli: loadConfig().temporalCli,
    port: await freePort(),
    uiPort,
    logFile: join(dir, 'temporal.log'),
    codecEndpoint: endpoint,
  });
  // A case as intake starts it; no worker needs to run for its input to be in the history.
  caseId = randomUUID();
  // No Akte here: the case's authority is told to the codec, as the Akte tells the engine's.
  const dataConverter = engineDataConverter(testKeyRing, {
    authorities: { keys: testAuthorities.keys, of: async () => application.authorityId },
  });
  const client = new Client({ connection: server.connection, dataConverter });
  const start = caseWorkflowStart('nobody-polls', {
    a: application,
    caseId,
    schemaVersion: '1',
    ruleSetVersion: 'v1',
    submittedAt: new Date().toISOString(),
    submissionSha256: 'ui-test',
  });
  await client.workflow.start('caseWorkflow', start);
  workflowUrl = `${ui}/namespaces/default/workflows/${encodeURIComponent(start.workflowId)}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await codec?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens the case in the Web UI; resolves with the codec server's answer to the UI's decode request. The UI's first load
 * in a fresh browser sometimes never asks the codec (seen in CI, while the next load asks at once): then the page is
 * loaded again, as a person would, at most three times.
 */
async function openCase(context: BrowserContext) {
  const page = await context.newPage();
  for (let attempt = 1; ; attempt++) {
    const decodeAnswer = page.waitForResponse(
      (r) => r.url().includes('/codec/') && r.url().includes('decode') && r.request().method() === 'POST',
      { timeout: 60_000 },
    );
    await page.goto(workflowUrl, { timeout: 90_000 });
    try {
      return { page, status: (await decodeAnswer).status() };
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

// Tall enough that the input editor renders every line of the application.
const newContext = () => browser.newContext({ viewport: { width: 1400, height: 4000 } });

/** What an operator does once: sign in at the codec server, and tell the UI to send its cookies there. */
async function operatorContext(): Promise<BrowserContext> {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${codec.endpoint.replace('127.0.0.1', 'localhost')}session`);
  await page.fill(
    'textarea[name=token]',
    await tokens.sign({ role: 'operator', subject: 'op.lena', authorityId: 'stadt-musterstadt' }),
  );
  await Promise.all([page.waitForURL(/\/codec\/session$/), page.click('button[type=submit]')]);
  expect(await page.locator('body').innerText()).toContain('Signed in');
  // The UI's "Codec Server" settings, as the operator sets them there: this endpoint, include cross-origin credentials.
  await context.addInitScript(
    (endpoint: string) => {
      localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', 'true');
      localStorage.setItem('passAccessToken', 'false');
    },
    codec.endpoint.replace('127.0.0.1', 'localhost'),
  );
  return context;
}

describe('the Temporal Web UI and the codec server', () => {
  // Generous limits: on a loaded CI machine the Web UI takes its time.
  // The Temporal Web UI is a large single-page app: opening a case and decoding its payloads through the codec server
  // are a few steps of up to 90 s each on a busy machine.
  it("shows an operator the case's decoded input", { timeout: 240_000 }, async () => {
    const { page, status } = await openCase(await operatorContext());
    expect(status).toBe(200);
    await page.getByText(street).first().waitFor({ timeout: 90_000 });
    expect(await page.locator('body').innerText()).toContain('"licensePlate"');
    // The case's static summary (service, authority, case id; no applicant data) under the UI's "User Metadata".
    await page.getByText('User Metadata', { exact: true }).first().click();
    await page.getByText('Summary', { exact: true }).first().waitFor({ timeout: 90_000 });
    // The UI renders user metadata as markdown inside a sandboxed frame.
    await expect
      .poll(
        async () =>
          (
            await Promise.all(
              page.frames().map((f) =>
                f
                  .locator('body')
                  .innerText()
                  .catch(() => ''),
              ),
            )
          ).join('\n'),
        { timeout: 90_000 },
      )
      .toContain(`Fall ${caseId}`);
    await screenshot(page, 'docs/screenshots/web-ui-case.png', { x: 0, y: 0, width: 1400, height: 900 });
  });

  it('shows ciphertext without an operator session', { timeout: 240_000 }, async () => {
    const { page, status } = await openCase(await newContext());
    expect(status).toBe(401);
    // The input card shows the encrypted payload's bytes as a base64 string.
    await page
      .getByText(/^"[A-Za-z0-9+/]{200,}={0,2}"$/)
      .first()
      .waitFor({ timeout: 90_000 });
    const text = await page.locator('body').innerText();
    expect(text).not.toContain(street);
    expect(text).not.toContain('"licensePlate"');
  });
});

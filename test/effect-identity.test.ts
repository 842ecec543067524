import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPostboxSandbox } from '../dev/stand-ins/postbox/server.js';
import { startForwardingSandbox } from '../dev/stand-ins/forwarding/server.js';
import { isWriteToClosedPostgresConnection } from '../platform/database.js';
import { duplicateEffects, withLedger, type Ledger } from './chaos/stand-ins.js';

/**
 * The stand-ins' ledgers of the chaos run, the kill test and the multi-process test count effects by business
 * identity (case and purpose), so a duplicate sent under another idempotency key, or with other document bytes, shows.
 */
const letter = (text: string) => ({
  caseId: 'case-1',
  recipient: 'pseudonym-a',
  subject: 'Bescheid zu Ihrem Antrag case-1',
  document: {
    sha256: createHash('sha256').update(text).digest('hex'),
    mediaType: 'text/plain',
    contentBase64: Buffer.from(text).toString('base64'),
  },
});
const status = (status: string) => ({
  recipient: 'pseudonym-a',
  applicationId: 'case-1',
  status,
  publicServiceName: { de: 'Bewohnerparken' },
  senderName: 'Stadt Musterstadt',
  createdDate: '2026-12-07T00:00:00Z',
});

describe('effects by business identity at the stand-ins', () => {
  it('a second Bescheid under another key and with other bytes is a duplicate; a retry under its key is not', async () => {
    const app = buildPostboxSandbox();
    const ledgers: Record<string, Ledger> = { postbox: withLedger(app) };
    const post = (key: string, body: unknown, url = '/deliveries') =>
      app.inject({ method: 'POST', url, headers: { 'idempotency-key': key }, payload: body as object });
    expect((await post('k1', letter('Bescheid'))).statusCode).toBe(201);
    expect((await post('k1', letter('Bescheid'))).statusCode).toBe(200);
    expect(duplicateEffects(ledgers)).toEqual([]);
    expect((await post('k2', letter('Bescheid, neu gerendert'))).statusCode).toBe(201);
    expect(duplicateEffects(ledgers)).toEqual([
      'postbox: letter: case-1 to pseudonym-a: Bescheid zu Ihrem Antrag case-1 2 times',
    ]);
    await app.close();
  });

  it('status messages count per case, recipient and milestone: a random key suffix shows as a second message', async () => {
    const app = buildPostboxSandbox();
    const ledgers: Record<string, Ledger> = { postbox: withLedger(app) };
    const post = (key: string, body: unknown) =>
      app.inject({
        method: 'POST',
        url: '/status-messages',
        headers: { 'idempotency-key': key },
        payload: body as object,
      });
    expect((await post('case-1:status:received', status('RECEIVED'))).statusCode).toBe(201);
    expect((await post('case-1:status:decided', status('PROCESSING'))).statusCode).toBe(201);
    expect(duplicateEffects(ledgers)).toEqual([]);
    expect((await post('case-1:status:received:0.42', status('RECEIVED'))).statusCode).toBe(201);
    expect(duplicateEffects(ledgers)).toEqual(['postbox: status message: case-1 to pseudonym-a: RECEIVED 2 times']);
    await app.close();
  });

  it('forwarding notices count per file reference and recipient authority', async () => {
    const ledgers: Record<string, Ledger> = {};
    const forwarding = await startForwardingSandbox({
      host: '127.0.0.1',
      port: 0,
      beforeListen: (app) => (ledgers['forwarding'] = withLedger(app)),
    });
    const notice = { nachrichtenkopf: {}, gewerbeanzeige: { aktenzeichen: 'AZ-1' } };
    const send = (key: string, recipient: string) =>
      fetch(`${forwarding.url}/recipients/${recipient}/notices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(notice),
      });
    expect((await send('f1', 'ihk')).status).toBe(201);
    expect((await send('f2', 'finanzamt')).status).toBe(201);
    expect(duplicateEffects(ledgers)).toEqual([]);
    expect((await send('f3', 'ihk')).status).toBe(201);
    expect(duplicateEffects(ledgers)).toEqual(['forwarding: forwarding notice: AZ-1 to ihk 2 times']);
    await forwarding.stop();
  });
});

describe('a PostgreSQL restart under a transaction', () => {
  it("recognises only the driver's write to a closed connection, by its message and where it was thrown", () => {
    const driver = new TypeError("Cannot read properties of null (reading 'write')");
    driver.stack = `${driver.message}\n    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)`;
    expect(isWriteToClosedPostgresConnection(driver)).toBe(true);
    const ours = new TypeError("Cannot read properties of null (reading 'write')");
    ours.stack = `${ours.message}\n    at nextWrite (file:///app/activities/outbound.ts:10:3)`;
    expect(isWriteToClosedPostgresConnection(ours)).toBe(false);
    expect(isWriteToClosedPostgresConnection(new Error('connection closed'))).toBe(false);
  });
});

import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecCallerVerifier } from '../platform/auth/tokens.js';
import { AesGcmCodec } from '../platform/codec/aes-gcm-codec.js';
import { AuthorityKeys, MemoryDataKeyStore } from '../platform/codec/authority-keys.js';
import { buildCodecServer, startCodecServer } from '../platform/codec/server.js';
import { waitFor } from './support/wait.js';
import { foreignTokens, tokenAudience, tokens } from './http-helpers.js';
import { testKeyRing } from './support/codec.js';

const UI = 'http://localhost:8233';
// Every payload here belongs to a case of stadt-musterstadt, encrypted with that authority's data key.
const authorityKeys = new AuthorityKeys(testKeyRing, new MemoryDataKeyStore());
const codec = new AesGcmCodec(testKeyRing, {
  authorities: { keys: authorityKeys, of: async () => 'stadt-musterstadt' },
});
const ofCase = {
  type: 'workflow',
  namespace: 'default',
  workflowId: 'case:00000000-0000-4000-8000-000000000001',
} as const;
const street = 'Lindenstraße 17';
let app: FastifyInstance;
let operator: string;
let caseWorker: string;
beforeAll(async () => {
  app = await buildCodecServer({
    codec,
    authorityKeys,
    auth: codecCallerVerifier(tokens.keys, tokenAudience),
    corsOrigins: [UI],
  });
  operator = await tokens.sign({ role: 'operator', subject: 'op.lena', authorityId: 'stadt-musterstadt' });
  caseWorker = await tokens.sign({ role: 'case_worker', subject: 'sb.anna', authorityId: 'stadt-musterstadt' });
});
afterAll(() => app.close());

const b64 = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('base64');
async function encryptedBody() {
  const [p] = await codec.encode([defaultPayloadConverter.toPayload({ street })], ofCase);
  return {
    payloads: [
      { metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(p!.data) },
    ],
  };
}
const decode = async (headers: Record<string, string>, url = '/codec/decode') =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI, ...headers },
    payload: await encryptedBody(),
  });
const decodedStreet = (body: { payloads: Array<{ data: string }> }) =>
  JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString()).street;

describe('codec server (remote codec protocol)', () => {
  it('decodes for a bearer token with the operator role, with CORS for the Web UI', async () => {
    const res = await decode({ authorization: `Bearer ${operator}` });
    expect(res.statusCode).toBe(200);
    expect(decodedStreet(res.json())).toBe(street);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['cache-control']).toBe('no-store');
    // The Web UI joins endpoint and path in two ways; both reach the route.
    expect((await decode({ authorization: `Bearer ${operator}` }, '/codec//decode')).statusCode).toBe(200);
  });

  it('refuses without a token, with a forged one, and without the operator role', async () => {
    expect((await decode({})).statusCode).toBe(401);
    const forged = await foreignTokens.sign({
      role: 'operator',
      subject: 'op.mallory',
      authorityId: 'stadt-musterstadt',
    });
    expect((await decode({ authorization: `Bearer ${forged}` })).statusCode).toBe(401);
    const res = await decode({ authorization: `Bearer ${caseWorker}` });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain(street);
  });

  it('encodes for an operator, so the UI can send signals; the result decodes', async () => {
    const payload = {
      payloads: [
        { metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from(JSON.stringify({ street }))) },
      ],
    };
    const res = await app.inject({
      method: 'POST',
      url: '/codec/encode',
      headers: { authorization: `Bearer ${operator}` },
      payload,
    });
    expect(res.statusCode).toBe(200);
    const back = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { authorization: `Bearer ${operator}` },
      payload: res.json(),
    });
    expect(decodedStreet(back.json())).toBe(street);
    expect((await app.inject({ method: 'POST', url: '/codec/encode', payload })).statusCode).toBe(401);
  });

  it('answers bad input with 400 and a foreign key id with 422 naming it', async () => {
    const headers = { authorization: `Bearer ${operator}` };
    for (const payload of [
      {},
      { payloads: 'x' },
      { payloads: [{ data: '***' }] },
      { payloads: [{ metadata: { encoding: 7 } }] },
    ]) {
      expect((await app.inject({ method: 'POST', url: '/codec/decode', headers, payload })).statusCode).toBe(400);
    }
    const body = await encryptedBody();
    // A key of the operator's own authority that this deployment does not hold (a retired version).
    body.payloads[0]!.metadata['encryption-key-id'] = b64(Buffer.from('dek:stadt-musterstadt:2019'));
    const res = await app.inject({ method: 'POST', url: '/codec/decode', headers, payload: body });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toContain('"dek:stadt-musterstadt:2019"');
  });

  it('answers the preflight of the Web UI origin only', async () => {
    const ok = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-headers']).toContain('x-namespace');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const other = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a session cookie for the dev Web UI: only for an operator token, then decode works with the cookie alone', async () => {
    const form = (token: string) => ({
      method: 'POST' as const,
      url: '/codec/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${encodeURIComponent(token)}`,
    });
    const refused = await app.inject(form(caseWorker));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['set-cookie']).toBeUndefined();
    const signedIn = await app.inject(form(operator));
    expect(signedIn.statusCode).toBe(200);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\/codec; Max-Age=28800$/);
    // The cookie holds a session id, never the bearer token.
    expect(cookie).not.toContain(operator);
    expect(cookie).not.toContain(operator.split('.')[1]!);
    const res = await decode({ cookie: cookie.split(';')[0]! });
    expect(res.statusCode).toBe(200);
    expect(decodedStreet(res.json())).toBe(street);
    // Signing out revokes the session on the server: the same cookie decodes nothing afterwards.
    const out = await app.inject({
      method: 'DELETE',
      url: '/codec/session',
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(out.statusCode).toBe(204);
    const after = await decode({ cookie: cookie.split(';')[0]! });
    expect(after.statusCode).toBe(401);
    expect(after.body).not.toContain(street);
  });

  it('a session expires, and its cookie is Secure behind TLS', async () => {
    const server = await startCodecServer({
      codec,
      auth: codecCallerVerifier(tokens.keys, tokenAudience),
      corsOrigins: [UI],
      port: 0,
      secureCookies: true,
      sessionTtlMs: 300,
    });
    try {
      const signIn = await fetch(`${server.url}/codec/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(operator)}`,
      });
      const cookie = signIn.headers.get('set-cookie')!;
      expect(cookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/codec; Max-Age=\d+; Secure$/);
      const decodeWith = async () =>
        fetch(`${server.endpoint}decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0]! },
          body: JSON.stringify(await encryptedBody()),
        });
      expect((await decodeWith()).status).toBe(200);
      await waitFor(async () => (await decodeWith()).status === 401, { what: 'the session to expire' });
    } finally {
      await server.stop();
    }
  });
});

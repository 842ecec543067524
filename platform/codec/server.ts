import type { Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AccessLogEntry } from '../../db/queries/access-log.js';
import { PLATFORM_OPERATOR_ROLE, type CodecCaller, type CodecCallerVerifier } from '../auth/tokens.js';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, type AesGcmCodec } from './aes-gcm-codec.js';
import { authorityOfKeyId, type AuthorityKeys } from './authority-keys.js';

/** Temporal's remote codec protocol: `POST <endpoint>/encode` and `/decode` with `{ payloads: [...] }`, bytes in base64. */
export interface CodecServerOptions {
  codec: AesGcmCodec;
  /** The authorities' data keys: an authority operator's encodes use their authority's key. */
  authorityKeys?: AuthorityKeys;
  auth: CodecCallerVerifier;
  /** Records every decode, granted or refused, before it is answered (`access_log`, kind `decode`). */
  recordAccess?: (entry: AccessLogEntry) => Promise<void>;
  /** Origins allowed to call from a browser (the Temporal Web UI's). */
  corsOrigins: string[];
  host?: string;
  port: number;
  /** Session cookies only over TLS (`Secure`), also when TLS ends at a proxy in front; the production profile sets it. */
  secureCookies?: boolean;
  /** How long a Web UI session lasts (CODEC_SESSION_TTL, default 8 hours); the operator signs in again after it. */
  sessionTtlMs?: number;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const SESSION_COOKIE = 'codec_session';
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;
const B64 = /^[A-Za-z0-9+/]*=*$/;
const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
  reply.status(status).type('application/problem+json').send({ type: 'about:blank', title, status, detail });

/** Whose payloads a decode request holds: an authority (its data key), `platform` (a ring key) or none (not encrypted). */
export const PLATFORM_PAYLOADS = 'platform';
function ownersOf(payloads: Payload[]): Set<string> {
  const owners = new Set<string>();
  for (const p of payloads) {
    if (Buffer.from(p.metadata?.['encoding'] ?? []).toString() !== ENCRYPTED_ENCODING) continue;
    const keyId = Buffer.from(p.metadata?.[KEY_ID_METADATA] ?? []).toString();
    owners.add(authorityOfKeyId(keyId) ?? PLATFORM_PAYLOADS);
  }
  return owners;
}

const roleOf = (c: CodecCaller) =>
  c.kind === 'platform_operator' ? PLATFORM_OPERATOR_ROLE : c.kind === 'authority_operator' ? 'operator' : c.role;
const mayDecode = (c: CodecCaller, owner: string) =>
  c.kind === 'platform_operator' || (c.kind === 'authority_operator' && owner === c.authorityId);

/**
 * Builds the codec server. An operator of an authority gets only that authority's payloads decoded (403 for another
 * authority's, for payloads under the ring's keys, and for an authority without keys); a platform-wide operator
 * (`platform_operator`) all. Every decode by a verified caller is recorded, granted or refused.
 */
export async function buildCodecServer(o: Omit<CodecServerOptions, 'port' | 'host'>): Promise<FastifyInstance> {
  // The Web UI joins `<endpoint>/decode` either way: with a trailing-slash endpoint that can be `//decode`.
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, routerOptions: { ignoreDuplicateSlashes: true } });
  const allowed = new Set(o.corsOrigins);
  // The cookie holds a random session id; the operator and the expiry stay here (one codec server process).
  const sessions = new Map<string, { who: CodecCaller; expiresAt: number }>();
  const ttl = o.sessionTtlMs ?? SESSION_TTL_MS;
  const sessionOf = (id: string | undefined): CodecCaller | undefined => {
    const s = id ? sessions.get(id) : undefined;
    if (s && s.expiresAt > Date.now()) return s.who;
    if (id) sessions.delete(id);
    return undefined;
  };

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        .header('vary', 'Origin');
    }
    reply.header('cache-control', 'no-store');
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.options('/codec/*', { config: { access: 'public' } }, async (req, reply) => {
    if (!req.headers.origin || !allowed.has(req.headers.origin)) return reply.status(403).send();
    return reply
      .status(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-namespace, authorization, authorization-extras')
      .header('access-control-max-age', '600')
      .send();
  });

  const record = async (who: CodecCaller, owners: Iterable<string>, granted: boolean) => {
    for (const owner of owners)
      await o.recordAccess?.({
        actorId: who.subject,
        actorRole: roleOf(who),
        actorAuthorityId: who.kind === 'platform_operator' ? null : (who.authorityId ?? null),
        kind: 'decode',
        what: `payload:${owner}`,
        route: 'POST /codec/decode',
        authorityId: owner === PLATFORM_PAYLOADS || owner === '-' ? null : owner,
        outcome: granted ? 'granted' : 'refused',
      });
  };

  for (const op of ['encode', 'decode'] as const) {
    app.post(`/codec/${op}`, { config: { access: 'role:operator' } }, async (req, reply) => {
      const who = await caller(o.auth, req, reply, sessionOf);
      if (!who) return reply;
      const payloads = parsePayloads(req.body);
      if (who.kind === 'other') {
        if (op === 'decode') await record(who, payloads ? ownersOf(payloads) : ['-'], false);
        return problem(reply, 403, 'Forbidden', 'decoding needs the operator role');
      }
      if (!payloads)
        return problem(
          reply,
          400,
          'Bad Request',
          'body must be { "payloads": [{ "metadata": { <key>: <base64> }, "data": <base64> }] }',
        );
      if (op === 'decode') {
        const owners = ownersOf(payloads);
        const granted = [...owners].every((owner) => mayDecode(who, owner));
        // Recorded before anything is answered: a decode whose record failed is not answered (500).
        await record(who, owners.size ? owners : ['-'], granted);
        if (!granted)
          return problem(
            reply,
            403,
            'Forbidden',
            who.kind === 'authority_operator'
              ? `an operator of ${who.authorityId} decodes only that authority's payloads`
              : 'decoding needs the operator role',
          );
      }
      try {
        let out: Payload[];
        if (op === 'decode') out = await o.codec.decode(payloads);
        else if (who.kind === 'platform_operator') out = await o.codec.encode(payloads);
        else {
          // An operator writes (a signal from the Web UI) under their own authority's key, one that exists already.
          if (!o.authorityKeys || !(await o.authorityKeys.exists(who.authorityId)))
            return problem(reply, 403, 'Forbidden', `authority ${who.authorityId} has no data key here`);
          out = await o.codec.encodeWith(payloads, await o.authorityKeys.currentFor(who.authorityId));
        }
        return { payloads: out.map(toJson) };
      } catch (err) {
        // A missing key id or a tampered payload: the operator sees why, nobody sees data.
        return problem(reply, 422, 'Unprocessable Content', err instanceof Error ? err.message : 'cannot decode');
      }
    });
  }

  // The dev Web UI cannot attach a bearer token over http, but sends cookies when "include cross-origin credentials" is on.
  app.get('/codec/session', { config: { access: 'public' } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(SESSION_PAGE),
  );
  app.post('/codec/session', { config: { access: 'public' } }, async (req, reply) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !token.trim())
      return problem(reply, 400, 'Bad Request', 'a form field "token" with an operator token is required');
    const who = await o.auth.verify(token.trim()).catch(() => undefined);
    if (!who) return problem(reply, 401, 'Unauthorized', 'the token is not valid');
    if (who.kind === 'other') return problem(reply, 403, 'Forbidden', 'decoding needs the operator role');
    const secure = o.secureCookies || req.protocol === 'https' ? '; Secure' : '';
    const now = Date.now();
    for (const [id, s] of sessions) if (s.expiresAt <= now || sessions.size >= MAX_SESSIONS) sessions.delete(id);
    const id = randomBytes(32).toString('base64url');
    sessions.set(id, { who, expiresAt: now + ttl });
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/codec; Max-Age=${Math.floor(ttl / 1000)}${secure}`,
    );
    return reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><title>Codec session</title><p>Signed in: the Temporal Web UI decodes payloads in this browser now.</p>',
      );
  });
  app.delete('/codec/session', { config: { access: 'public' } }, async (req, reply) => {
    const id = cookie(req.headers.cookie, SESSION_COOKIE);
    if (id) sessions.delete(id);
    return reply
      .header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/codec; Max-Age=0`)
      .status(204)
      .send();
  });
  return app;
}

export async function startCodecServer(
  o: CodecServerOptions,
): Promise<{ url: string; endpoint: string; stop(): Promise<void> }> {
  const app = await buildCodecServer(o);
  await app.listen({ host: o.host ?? '127.0.0.1', port: o.port });
  const { port } = app.server.address() as { port: number };
  const url = `http://${o.host ?? '127.0.0.1'}:${port}`;
  return { url, endpoint: `${url}/codec/`, stop: () => app.close() };
}

/** The verified caller (operator or not: the route refuses and records the rest), or undefined after a 401. */
async function caller(
  auth: CodecCallerVerifier,
  req: FastifyRequest,
  reply: FastifyReply,
  sessionOf: (id: string | undefined) => CodecCaller | undefined,
): Promise<CodecCaller | undefined> {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) {
    const id = cookie(req.headers.cookie, SESSION_COOKIE);
    const who = sessionOf(id);
    if (who) return who;
    if (id) return void problem(reply, 401, 'Unauthorized', 'the session has ended; sign in again at /codec/session');
  }
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token)
    return void problem(
      reply,
      401,
      'Unauthorized',
      'an operator token is required (Authorization: Bearer, or a session from /codec/session)',
    );
  const who = await auth.verify(token).catch(() => undefined);
  if (!who) return void problem(reply, 401, 'Unauthorized', 'the token is not valid');
  return who;
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [k, ...v] = part.trim().split('=');
    if (k === name && v.length) return v.join('=');
  }
  return undefined;
}

function parsePayloads(body: unknown): Payload[] | undefined {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list) || list.length > 10_000) return undefined;
  const out: Payload[] = [];
  for (const p of list as JsonPayload[]) {
    if (!p || typeof p !== 'object') return undefined;
    const meta = p.metadata ?? {};
    if (typeof meta !== 'object' || Object.values(meta).some((v) => typeof v !== 'string' || !B64.test(v)))
      return undefined;
    if (p.data !== undefined && (typeof p.data !== 'string' || !B64.test(p.data))) return undefined;
    out.push({
      metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
    });
  }
  return out;
}

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

const SESSION_PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Codec session</title>
<h1>Decode payloads in the Temporal Web UI</h1>
<p>Paste an access token with the <code>operator</code> role. It is kept in an HttpOnly cookie for this codec server only.</p>
<form method="post" action="/codec/session"><label>Token <textarea name="token" rows="4" cols="80" required></textarea></label>
<button type="submit">Sign in</button></form>
</html>`;

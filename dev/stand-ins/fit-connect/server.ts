import { randomBytes, randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { generateKeyPair, exportJWK, type JWK } from 'jose';
import { callbackAuthentication, CALLBACK_NEW_SUBMISSIONS } from '../../../adapters/fit-connect/callback.js';
import {
  EVENT,
  SET_ALG,
  signSet,
  unverifiedSet,
  verifySet,
  type EventUri,
} from '../../../adapters/fit-connect/crypto.js';

/**
 * STAND-IN for the FIT-Connect delivery service (Zustelldienst), Submission API v1 shapes: OAuth client credentials,
 * destinations with their public keys, submissions (create, attachments, submit), pickup for the destination, the
 * case event log with SETs, and the new-submissions callback. In memory; no conformance check against FITKO's
 * service. Not for production (the production profile refuses http endpoints, and production entry points
 * cannot import dev/stand-ins/).
 */
export interface FitConnectSandboxOptions {
  host: string;
  port: number;
  /** OAuth clients: senders (online services) and subscribers (a destination's receiver; `destinationId` limits it to that one). */
  clients: Array<{ clientId: string; clientSecret: string; role: 'sender' | 'subscriber'; destinationId?: string }>;
  destinations: Array<{
    destinationId: string;
    /** Public keys: one with key_ops wrapKey (encryption), one with key_ops verify (event signatures). */
    encryptionKey: JWK;
    signingKey: JWK;
    callback?: { url: string; secret: string };
    /** The services the destination takes, with the data schemas it publishes for each (Submission API `services`). */
    services?: Array<{
      identifier: string;
      name?: string;
      submissionSchemas: Array<{ schemaUri: string; mimeType: string }>;
    }>;
    /** The metadata versions the destination takes (Submission API `metadataVersions`). */
    metadataVersions?: readonly string[];
  }>;
  /** The delivery service's own PS512 key for its events (create, submit, forward); generated (RSA 4096) when absent. */
  serviceKey?: JWK;
}

type Status = 'incomplete' | 'submitted' | 'forwarded' | 'accepted' | 'rejected';

interface StoredSubmission {
  submissionId: string;
  caseId: string;
  destinationId: string;
  serviceType: { name?: string; identifier: string };
  announcedAttachments: string[];
  attachments: Map<string, string>;
  encryptedMetadata?: string;
  encryptedData?: string;
  status: Status;
  createdAt: string;
}

export interface FitConnectSandbox {
  url: string;
  tokenUrl: string;
  /** Every submission and its decoded events, as `GET /event-log` shows them (for the demo and tests). */
  overview(): Promise<EventLogOverview[]>;
  stop(): Promise<void>;
}

export interface EventLogOverview {
  submissionId: string;
  caseId: string;
  destinationId: string;
  serviceType: string;
  status: Status;
  events: Array<{ event: string; issuer: string; issuedAt: string; problems?: unknown }>;
}

const PICKUP: Status[] = ['submitted', 'forwarded'];
const EVENT_STATUS: Partial<Record<EventUri, Status>> = { [EVENT.accept]: 'accepted', [EVENT.reject]: 'rejected' };

export async function startFitConnectSandbox(o: FitConnectSandboxOptions): Promise<FitConnectSandbox> {
  const serviceKey = o.serviceKey ?? (await generateServiceKey());
  const servicePublic: JWK = {
    kty: serviceKey.kty,
    n: serviceKey.n,
    e: serviceKey.e,
    kid: serviceKey.kid,
    alg: SET_ALG,
    key_ops: ['verify'],
  };
  const destinations = new Map(o.destinations.map((d) => [d.destinationId, d]));
  const clients = new Map(o.clients.map((c) => [c.clientId, c]));
  const tokens = new Map<
    string,
    { clientId: string; role: 'sender' | 'subscriber'; destinationId?: string; until: number }
  >();
  const submissions = new Map<string, StoredSubmission>();
  const events = new Map<string, string[]>();
  let url = '';

  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 30 * 1024 * 1024 });
  await app.register(formbody);
  app.addContentTypeParser('application/jose', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const problem = (reply: FastifyReply, status: number, detail: string) =>
    reply
      .status(status)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: String(status), status, detail });
  const caller = (req: FastifyRequest) => {
    const t = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const found = t ? tokens.get(t) : undefined;
    return found && found.until > Date.now() ? found : undefined;
  };
  /** A subscriber acts for its own destination only (a subscriber without one may act for all, as in the tests). */
  const subscriberOf = (req: FastifyRequest, destinationId: string | undefined) => {
    const c = caller(req)!;
    return c.role === 'subscriber' && (!c.destinationId || c.destinationId === destinationId);
  };
  const log = async (s: StoredSubmission, event: EventUri, payload: Record<string, unknown> = {}) => {
    const set = await signSet(
      { issuer: url, submissionId: s.submissionId, caseId: s.caseId, event, payload },
      serviceKey,
    );
    events.get(s.caseId)!.push(set);
  };
  const brief = (s: StoredSubmission) => ({
    destinationId: s.destinationId,
    submissionId: s.submissionId,
    caseId: s.caseId,
  });

  app.post<{ Body: Record<string, string> }>('/token', async (req, reply) => {
    const b = req.body ?? {};
    const client = clients.get(b['client_id'] ?? '');
    if (b['grant_type'] !== 'client_credentials' || !client || client.clientSecret !== b['client_secret'])
      return reply.status(401).send({ error: 'invalid_client' });
    const access_token = randomBytes(24).toString('base64url');
    tokens.set(access_token, {
      clientId: client.clientId,
      role: client.role,
      destinationId: client.destinationId,
      until: Date.now() + 1800_000,
    });
    return { access_token, token_type: 'Bearer', expires_in: 1800 };
  });

  app.get('/.well-known/jwks.json', async () => ({ keys: [servicePublic] }));

  // Everything below needs a bearer token.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1/')) return;
    if (!caller(req)) return problem(reply, 401, 'bearer token missing or expired');
  });

  app.get<{ Params: { id: string } }>('/v1/destinations/:id', async (req, reply) => {
    const d = destinations.get(req.params.id);
    if (!d) return problem(reply, 404, 'unknown destination');
    return {
      destinationId: d.destinationId,
      status: 'active',
      encryptionKid: d.encryptionKey.kid,
      publicKeys: { keys: [d.encryptionKey, d.signingKey] },
      services: d.services ?? [],
      metadataVersions: d.metadataVersions ?? ['1.0.0'],
    };
  });
  app.get<{ Params: { id: string; kid: string } }>('/v1/destinations/:id/keys/:kid', async (req, reply) => {
    const d = destinations.get(req.params.id);
    const key = d && [d.encryptionKey, d.signingKey].find((k) => k.kid === req.params.kid);
    return key ?? problem(reply, 404, 'unknown key');
  });

  app.post<{
    Body: {
      destinationId?: string;
      announcedAttachments?: string[];
      serviceType?: { name?: string; identifier?: string };
    };
  }>('/v1/submissions', async (req, reply) => {
    const b = req.body ?? {};
    if (caller(req)!.role !== 'sender') return problem(reply, 403, 'only senders create submissions');
    if (!b.destinationId || !destinations.has(b.destinationId)) return problem(reply, 404, 'unknown destination');
    if (typeof b.serviceType?.identifier !== 'string') return problem(reply, 422, 'serviceType.identifier missing');
    const announced = b.announcedAttachments ?? [];
    if (!Array.isArray(announced) || announced.some((a) => typeof a !== 'string'))
      return problem(reply, 422, 'announcedAttachments must be UUIDs');
    const s: StoredSubmission = {
      submissionId: randomUUID(),
      caseId: randomUUID(),
      destinationId: b.destinationId,
      serviceType: { name: b.serviceType.name, identifier: b.serviceType.identifier },
      announcedAttachments: announced,
      attachments: new Map(),
      status: 'incomplete',
      createdAt: new Date().toISOString(),
    };
    submissions.set(s.submissionId, s);
    events.set(s.caseId, []);
    await log(s, EVENT.create);
    return reply.status(201).send(brief(s));
  });

  app.put<{ Params: { sid: string; aid: string }; Body: string }>(
    '/v1/submissions/:sid/attachments/:aid',
    async (req, reply) => {
      const s = submissions.get(req.params.sid);
      if (!s) return problem(reply, 404, 'unknown submission');
      if (s.status !== 'incomplete') return problem(reply, 409, `submission is ${s.status}`);
      if (!s.announcedAttachments.includes(req.params.aid)) return problem(reply, 404, 'attachment not announced');
      if (typeof req.body !== 'string' || req.body.split('.').length !== 5)
        return problem(reply, 422, 'send a compact JWE as application/jose');
      s.attachments.set(req.params.aid, req.body);
      return reply.status(204).send();
    },
  );

  app.put<{ Params: { sid: string }; Body: { encryptedMetadata?: string; encryptedData?: string } }>(
    '/v1/submissions/:sid',
    async (req, reply) => {
      const s = submissions.get(req.params.sid);
      if (!s) return problem(reply, 404, 'unknown submission');
      if (s.status !== 'incomplete') return problem(reply, 409, `submission is ${s.status}`);
      const missing = s.announcedAttachments.filter((a) => !s.attachments.has(a));
      if (missing.length) return problem(reply, 422, `announced attachments missing: ${missing.join(', ')}`);
      if (typeof req.body?.encryptedMetadata !== 'string') return problem(reply, 422, 'encryptedMetadata missing');
      s.encryptedMetadata = req.body.encryptedMetadata;
      s.encryptedData = req.body.encryptedData;
      s.status = 'submitted';
      await log(s, EVENT.submit);
      void notify(s);
      return reply.status(202).send(brief(s));
    },
  );

  app.get<{ Querystring: { destinationId?: string; limit?: string; offset?: string } }>(
    '/v1/submissions',
    async (req, reply) => {
      if (!subscriberOf(req, req.query.destinationId))
        return problem(reply, 403, 'only the destination lists its submissions');
      const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 100) || 100));
      const offset = Math.max(0, Number(req.query.offset ?? 0) || 0);
      const ready = [...submissions.values()].filter(
        (s) => s.destinationId === req.query.destinationId && PICKUP.includes(s.status),
      );
      const page = ready.slice(offset, offset + limit);
      return { count: page.length, offset, totalCount: ready.length, submissions: page.map(brief) };
    },
  );

  app.get<{ Params: { sid: string } }>('/v1/submissions/:sid', async (req, reply) => {
    const s = submissions.get(req.params.sid);
    if (!s) return problem(reply, 404, 'unknown submission');
    if (!subscriberOf(req, s.destinationId)) return problem(reply, 403, 'only the destination fetches submissions');
    if (s.status === 'incomplete') return problem(reply, 409, 'submission not submitted yet');
    if (s.status === 'submitted') {
      s.status = 'forwarded';
      await log(s, EVENT.forward);
    }
    return {
      ...brief(s),
      serviceType: s.serviceType,
      attachments: s.announcedAttachments,
      encryptedMetadata: s.encryptedMetadata,
      ...(s.encryptedData !== undefined && { encryptedData: s.encryptedData }),
    };
  });

  app.get<{ Params: { sid: string; aid: string } }>('/v1/submissions/:sid/attachments/:aid', async (req, reply) => {
    const s = submissions.get(req.params.sid);
    const jwe = s?.attachments.get(req.params.aid);
    if (!subscriberOf(req, s?.destinationId)) return problem(reply, 403, 'only the destination fetches attachments');
    if (!jwe) return problem(reply, 404, 'unknown attachment');
    return reply.type('application/jose').send(jwe);
  });

  app.post<{ Params: { caseId: string }; Body: string }>('/v1/cases/:caseId/events', async (req, reply) => {
    const s = [...submissions.values()].find((x) => x.caseId === req.params.caseId);
    if (!s) return problem(reply, 404, 'unknown case');
    if (!subscriberOf(req, s.destinationId)) return problem(reply, 403, 'only the destination posts events');
    if (typeof req.body !== 'string') return problem(reply, 415, 'send the SET as application/jose');
    const d = destinations.get(s.destinationId)!;
    let verified;
    try {
      verified = await verifySet(req.body, d.signingKey);
    } catch (err) {
      return problem(reply, 422, `SET refused: ${(err as Error).message}`);
    }
    if (verified.issuer !== d.destinationId || verified.submissionId !== s.submissionId || verified.caseId !== s.caseId)
      return problem(reply, 422, 'SET names another issuer, submission or case');
    const next = EVENT_STATUS[verified.event];
    if (!next) return problem(reply, 422, `event ${verified.event} is not the destination's to send`);
    if (!PICKUP.includes(s.status)) return problem(reply, 409, `submission is already ${s.status}`);
    s.status = next;
    events.get(s.caseId)!.push(req.body);
    return reply.status(204).send();
  });

  app.get<{ Params: { caseId: string } }>('/v1/cases/:caseId/events', async (req, reply) => {
    const log = events.get(req.params.caseId);
    if (!log) return problem(reply, 404, 'unknown case');
    return { eventLog: log };
  });

  const overview = async (): Promise<EventLogOverview[]> =>
    Promise.all(
      [...submissions.values()].map(async (s) => ({
        submissionId: s.submissionId,
        caseId: s.caseId,
        destinationId: s.destinationId,
        serviceType: s.serviceType.identifier,
        status: s.status,
        events: await Promise.all(
          events.get(s.caseId)!.map(async (set) => {
            const { iss } = unverifiedSet(set);
            const key = iss === url ? servicePublic : destinations.get(iss ?? '')?.signingKey;
            const v = await verifySet(set, key!);
            return {
              event: v.event,
              issuer: v.issuer,
              issuedAt: new Date(Number(v.claims.iat) * 1000).toISOString(),
              ...(v.payload['problems'] !== undefined && { problems: v.payload['problems'] }),
            };
          }),
        ),
      })),
    );
  // The stand-in's own page for people (no token): every submission with its status and events, nothing decrypted.
  app.get('/event-log', async () => overview());

  async function notify(s: StoredSubmission) {
    const callback = destinations.get(s.destinationId)?.callback;
    if (!callback) return;
    const body = JSON.stringify({ type: CALLBACK_NEW_SUBMISSIONS, submissions: [brief(s)] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    await fetch(callback.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'callback-timestamp': timestamp,
        'callback-authentication': callbackAuthentication(callback.secret, timestamp, body),
      },
      body,
    }).catch(() => {
      // The receiver polls as well: a lost callback only delays pickup.
    });
  }

  await app.listen({ host: o.host, port: o.port });
  const { port } = app.server.address() as { port: number };
  url = `http://${o.host}:${port}`;
  return { url, tokenUrl: `${url}/token`, overview, stop: () => app.close() };
}

/** A fresh PS512 key (RSA 4096) for the stand-in's own events. */
export async function generateServiceKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SET_ALG, { modulusLength: 4096, extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `zustelldienst-${randomUUID()}`, alg: SET_ALG };
}

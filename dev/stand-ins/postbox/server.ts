import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DeliveryReceipt, DeliveryRequest, DeliveryRetrieval } from '../../../adapters/postbox.js';

/** What the sandbox keeps per delivery; in memory, as an applicant's postbox in a portal would show it. */
interface StoredDelivery {
  deliveryId: string;
  idempotencyKey: string;
  caseId: string;
  recipient: string;
  subject: string;
  deliveredAt: string;
  /** When the applicant was notified that the document is ready (at delivery, here). */
  notifiedAt: string;
  /** The applicant's first retrieval (§ 41 Abs. 2a VwVfG); absent until then. */
  retrievedAt?: string;
  document: { sha256: string; mediaType: string; size: number; bytes: Buffer };
}

const deliveryBody = {
  type: 'object',
  additionalProperties: false,
  required: ['caseId', 'recipient', 'subject', 'document'],
  properties: {
    caseId: { type: 'string', minLength: 1, maxLength: 128 },
    recipient: { type: 'string', minLength: 1, maxLength: 128 },
    subject: { type: 'string', minLength: 1, maxLength: 300 },
    document: {
      type: 'object',
      additionalProperties: false,
      required: ['sha256', 'mediaType', 'contentBase64'],
      properties: {
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        mediaType: { type: 'string' },
        contentBase64: { type: 'string' },
      },
    },
  },
} as const;

/**
 * Postbox sandbox over HTTP: the engine delivers with an Idempotency-Key and gets a receipt (201 first, 200 with the
 * same receipt on a repeat); the applicant lists what reached their postbox and downloads each document.
 */
export function buildPostboxSandbox(): FastifyInstance {
  const byKey = new Map<string, StoredDelivery>();
  const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024 });
  const problem = (status: number, title: string, detail: string) => ({ type: 'about:blank', title, status, detail });

  app.post<{ Body: DeliveryRequest }>('/deliveries', { schema: { body: deliveryBody } }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) {
      return reply
        .status(400)
        .type('application/problem+json')
        .send(problem(400, 'Bad Request', 'Idempotency-Key header is required'));
    }
    const known = byKey.get(key);
    if (known) return reply.status(200).send(receiptOf(known));
    const bytes = Buffer.from(req.body.document.contentBase64, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== req.body.document.sha256) {
      return reply
        .status(422)
        .type('application/problem+json')
        .send(problem(422, 'Unprocessable Content', 'document does not match its SHA-256'));
    }
    const stored: StoredDelivery = {
      deliveryId: randomUUID(),
      idempotencyKey: key,
      caseId: req.body.caseId,
      recipient: req.body.recipient,
      subject: req.body.subject,
      deliveredAt: new Date().toISOString(),
      notifiedAt: new Date().toISOString(),
      document: {
        sha256: req.body.document.sha256,
        mediaType: req.body.document.mediaType,
        size: bytes.byteLength,
        bytes,
      },
    };
    byKey.set(key, stored);
    return reply.status(201).send(receiptOf(stored));
  });

  app.get<{ Params: { recipient: string } }>('/postbox/:recipient', async (req) =>
    [...byKey.values()]
      .filter((d) => d.recipient === req.params.recipient)
      .map((d) => ({
        deliveryId: d.deliveryId,
        caseId: d.caseId,
        subject: d.subject,
        deliveredAt: d.deliveredAt,
        notifiedAt: d.notifiedAt,
        ...(d.retrievedAt && { retrievedAt: d.retrievedAt }),
        document: {
          sha256: d.document.sha256,
          mediaType: d.document.mediaType,
          size: d.document.size,
          href: `/postbox/${encodeURIComponent(d.recipient)}/${d.deliveryId}/document`,
        },
      })),
  );

  app.get<{ Params: { recipient: string; deliveryId: string } }>(
    '/postbox/:recipient/:deliveryId/document',
    async (req, reply) => {
      const d = [...byKey.values()].find(
        (x) => x.recipient === req.params.recipient && x.deliveryId === req.params.deliveryId,
      );
      if (!d)
        return reply
          .status(404)
          .type('application/problem+json')
          .send(problem(404, 'Not Found', 'no such delivery in this postbox'));
      // Downloading is retrieving: the first one counts.
      d.retrievedAt ??= new Date().toISOString();
      return reply.type(d.document.mediaType).send(d.document.bytes);
    },
  );

  // The retrieval event with its time, as the portal records it after the applicant authenticated. Development only:
  // a test names the day (time moves by configuration there); the first retrieval counts, a repeat changes nothing.
  app.post<{ Params: { recipient: string; deliveryId: string }; Body: { retrievedAt?: string } }>(
    '/postbox/:recipient/:deliveryId/retrieval',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { retrievedAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
    async (req, reply) => {
      const d = [...byKey.values()].find(
        (x) => x.recipient === req.params.recipient && x.deliveryId === req.params.deliveryId,
      );
      if (!d)
        return reply
          .status(404)
          .type('application/problem+json')
          .send(problem(404, 'Not Found', 'no such delivery in this postbox'));
      d.retrievedAt ??= req.body?.retrievedAt ?? new Date().toISOString();
      return retrievalOf(d);
    },
  );

  // What the engine asks (adapters/postbox.ts, DeliveryRetrieval): notified when, retrieved when.
  app.get<{ Params: { deliveryId: string } }>('/deliveries/:deliveryId', async (req, reply) => {
    const d = [...byKey.values()].find((x) => x.deliveryId === req.params.deliveryId);
    if (!d)
      return reply
        .status(404)
        .type('application/problem+json')
        .send(problem(404, 'Not Found', 'no such delivery'));
    return retrievalOf(d);
  });

  addStatusMessageRoutes(app);
  addMailRoutes(app);
  app.get('/health', async () => ({ status: 'ok' }));
  return app;
}

const receiptOf = (d: StoredDelivery): DeliveryReceipt => ({ deliveryId: d.deliveryId, deliveredAt: d.deliveredAt });
const retrievalOf = (d: StoredDelivery): DeliveryRetrieval => ({
  deliveryId: d.deliveryId,
  notifiedAt: d.notifiedAt,
  ...(d.retrievedAt && { retrievedAt: d.retrievedAt }),
});

/** Starts the sandbox; port 0 picks a free one (tests). */
export async function startPostboxSandbox(o: {
  host: string;
  port: number;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const app = buildPostboxSandbox();
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return { url: `http://${o.host}:${port}`, stop: () => app.close() };
}

/** Status messages (BundID Antragsstatus shape), once per Idempotency-Key; the applicant lists them like a status monitor. */
function addStatusMessageRoutes(app: FastifyInstance): void {
  const byKey = new Map<
    string,
    { messageId: string; receivedAt: string; recipient: string } & Record<string, unknown>
  >();
  app.post<{ Body: { recipient: string } & Record<string, unknown> }>(
    '/status-messages',
    {
      schema: {
        body: {
          type: 'object',
          required: ['recipient', 'applicationId', 'status', 'publicServiceName', 'senderName', 'createdDate'],
          properties: {
            recipient: { type: 'string', minLength: 1, maxLength: 128 },
            applicationId: { type: 'string', minLength: 1 },
            status: { enum: ['INITIATED', 'SUBMITTED', 'RECEIVED', 'PROCESSING', 'ACTION_REQUIRED', 'COMPLETED'] },
          },
        },
      },
    },
    keepOncePerKey<{ recipient: string } & Record<string, unknown>>(byKey),
  );
  app.get<{ Params: { recipient: string } }>('/postbox/:recipient/status-messages', async (req) =>
    [...byKey.values()].filter((m) => m.recipient === req.params.recipient).map(({ recipient: _r, ...m }) => m),
  );
}

/** The mail gateway's stand-in: mails once per Idempotency-Key, listed per address as a mailbox would show them. */
function addMailRoutes(app: FastifyInstance): void {
  const byKey = new Map<string, { messageId: string; receivedAt: string; to: string; subject: string; text: string }>();
  app.post<{ Body: { to: string; subject: string; text: string } }>(
    '/mails',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['to', 'subject', 'text'],
          properties: {
            to: { type: 'string', minLength: 3, maxLength: 254 },
            subject: { type: 'string', minLength: 1, maxLength: 300 },
            text: { type: 'string', minLength: 1, maxLength: 20_000 },
          },
        },
      },
    },
    keepOncePerKey<{ to: string; subject: string; text: string }>(byKey),
  );
  app.get<{ Params: { address: string } }>('/mails/:address', async (req) =>
    [...byKey.values()].filter((m) => m.to === req.params.address),
  );
}

/** Keeps a posted message once per Idempotency-Key: 201 with its id the first time, 200 with the same id on a repeat. */
function keepOncePerKey<B extends object>(byKey: Map<string, B & { messageId: string; receivedAt: string }>) {
  return async (req: FastifyRequest<{ Body: B }>, reply: FastifyReply) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !key)
      return reply
        .status(400)
        .type('application/problem+json')
        .send({ title: 'Idempotency-Key header is required', status: 400 });
    const known = byKey.get(key);
    if (known) return reply.status(200).send({ messageId: known.messageId });
    const stored = { ...(req.body as B), messageId: randomUUID(), receivedAt: new Date().toISOString() };
    byKey.set(key, stored);
    return reply.status(201).send({ messageId: stored.messageId });
  };
}

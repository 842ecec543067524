import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ForwardedNotice } from '../../../adapters/forwarding.js';

/** Stand-in for the authorities a Gewerbeanzeige is forwarded to: stores each notice once per idempotency key. */
export async function startForwardingSandbox(o: {
  host: string;
  port: number;
  /** Hooks to add before the server listens (a test's ledger). */
  beforeListen?: (app: FastifyInstance) => void;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const byKey = new Map<
    string,
    { receiptId: string; recipient: string; receivedAt: string; notice: ForwardedNotice }
  >();
  const app = Fastify({ logger: false });
  app.post<{ Params: { recipient: string }; Body: ForwardedNotice }>(
    '/recipients/:recipient/notices',
    { schema: { body: { type: 'object', required: ['nachrichtenkopf', 'gewerbeanzeige'] } } },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key)
        return reply.status(400).send({ title: 'Idempotency-Key header is required' });
      const known = byKey.get(key);
      if (known) return reply.status(200).send({ receiptId: known.receiptId });
      const stored = {
        receiptId: randomUUID(),
        recipient: req.params.recipient,
        receivedAt: new Date().toISOString(),
        notice: req.body,
      };
      byKey.set(key, stored);
      return reply.status(201).send({ receiptId: stored.receiptId });
    },
  );
  app.get<{ Params: { recipient: string } }>('/recipients/:recipient/notices', async (req) =>
    [...byKey.values()].filter((n) => n.recipient === req.params.recipient),
  );
  o.beforeListen?.(app);
  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return { url: `http://${o.host}:${port}`, stop: () => app.close() };
}

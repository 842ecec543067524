import type { FastifyInstance } from 'fastify';

/** What a stand-in received and did, per idempotency key: requests, and effects (by default 201 Created answers). */
export interface Ledger {
  received: Map<string, number>;
  effects: Map<string, number>;
  /** While true the stand-in answers 503 to everything, as if it were down. */
  down: boolean;
  refusedWhileDown: number;
}

/** Which answer is the effect itself, not a refusal or a replay of an earlier answer under the same key. */
export type EffectTest = (status: number, replayed: boolean) => boolean;
export const created: EffectTest = (status) => status === 201;
/** A register's retrieval: an answer (found or not found) that was not replayed from its log. */
export const retrieval: EffectTest = (status, replayed) => (status === 200 || status === 404) && !replayed;

/** Adds a ledger and an off switch to a stand-in before it listens; keys are idempotency keys, never personal data. */
export function withLedger(app: FastifyInstance, isEffect: EffectTest = created): Ledger {
  const ledger: Ledger = { received: new Map(), effects: new Map(), down: false, refusedWhileDown: 0 };
  const keyOf = (h: unknown) => (typeof h === 'string' && h ? h : undefined);
  app.addHook('onRequest', async (req, reply) => {
    const key = keyOf(req.headers['idempotency-key']);
    if (key) ledger.received.set(key, (ledger.received.get(key) ?? 0) + 1);
    if (ledger.down) {
      ledger.refusedWhileDown++;
      await reply
        .status(503)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'down (chaos)' });
    }
  });
  // Counted when the stand-in answers, not once the answer arrived: a caller killed mid-request still caused the
  // effect (and its retry is answered from the stand-in's log, marked replayed).
  app.addHook('onSend', async (req, reply, payload) => {
    const key = keyOf(req.headers['idempotency-key']);
    if (key && isEffect(reply.statusCode, reply.getHeader('idempotent-replayed') === 'true'))
      ledger.effects.set(key, (ledger.effects.get(key) ?? 0) + 1);
    return payload;
  });
  return ledger;
}

export const duplicatesIn = (l: Ledger): number => [...l.effects.values()].filter((n) => n > 1).length;
export const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

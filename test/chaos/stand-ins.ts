import type { FastifyInstance } from 'fastify';

/**
 * What a stand-in received and did, per idempotency key: requests, and effects (by default 201 Created answers); and
 * its effects per case and purpose, read from the request itself (business identity): a second fee, pay-out, letter,
 * status message or notice for the same case and purpose is a duplicate whatever key or document bytes it came with.
 */
export interface Ledger {
  received: Map<string, number>;
  effects: Map<string, number>;
  /** Effects by case and purpose (`purposeOf`), independent of idempotency keys and document bytes. */
  byPurpose: Map<string, number>;
  /** While true the stand-in answers 503 to everything, as if it were down. */
  down: boolean;
  refusedWhileDown: number;
  /** Effects whose answer the stand-in replaced with a 503 (`loseAnswerEvery`): done, but the caller never heard. */
  answersLost: number;
}

/** Which answer is the effect itself, not a refusal or a replay of an earlier answer under the same key. */
export type EffectTest = (status: number, replayed: boolean) => boolean;
export const created: EffectTest = (status) => status === 201;
/** A register's retrieval: an answer (found or not found) that was not replayed from its log. */
export const retrieval: EffectTest = (status, replayed) => (status === 200 || status === 404) && !replayed;

/** Adds a ledger and an off switch to a stand-in before it listens; keys are idempotency keys, never personal data. */
export function withLedger(
  app: FastifyInstance,
  isEffect: EffectTest = created,
  o: {
    /**
     * Every n-th effect's answer is replaced by a 503, as if the answer were lost on its way back: the caller must
     * repeat it under the same idempotency key, and a second effect for the same case and purpose shows a caller that
     * did not.
     */
    loseAnswerEvery?: number;
  } = {},
): Ledger {
  const ledger: Ledger = {
    received: new Map(),
    effects: new Map(),
    byPurpose: new Map(),
    down: false,
    refusedWhileDown: 0,
    answersLost: 0,
  };
  let effects = 0;
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
    if (key && isEffect(reply.statusCode, reply.getHeader('idempotent-replayed') === 'true')) {
      ledger.effects.set(key, (ledger.effects.get(key) ?? 0) + 1);
      const purpose = purposeOf(req.method, req.url, req.body);
      if (purpose) ledger.byPurpose.set(purpose, (ledger.byPurpose.get(purpose) ?? 0) + 1);
      if (o.loseAnswerEvery && ++effects % o.loseAnswerEvery === 0) {
        ledger.answersLost++;
        reply.code(503).type('application/problem+json');
        return JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'answer lost (chaos)',
        });
      }
    }
    return payload;
  });
  return ledger;
}

type Body = Record<string, unknown> | undefined;
const field = (b: unknown, ...path: string[]): string =>
  String(path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], b) ?? '?');

/**
 * The business identity of an effect at the stand-ins, from what the engine sent: the case and the purpose. One per
 * case and purpose is right; a second one is a duplicate, whatever its idempotency key or its document's bytes.
 */
export function purposeOf(method: string, url: string, body: unknown): string | undefined {
  if (method !== 'POST') return undefined;
  const path = url.split('?')[0]!;
  const b = body as Body;
  // The fee and the pay-out name their case in the purpose line ("<service>, Vorgang <case>"); a refund its fee.
  if (path === '/transactions') return `fee request: ${field(b, 'purpose')}`;
  if (path === '/payouts') return `pay-out: ${field(b, 'purpose')}`;
  if (path === '/refunds') return `refund of ${field(b, 'transactionId')}`;
  // Letters to the applicant by case, recipient and subject (Bescheid, evidence request and reminder, fee reminder,
  // question, answer), never by the document: a re-rendered Bescheid is still the same delivery.
  if (path === '/deliveries')
    return `letter: ${field(b, 'caseId')} to ${field(b, 'recipient')}: ${field(b, 'subject')}`;
  // Status messages per case, recipient and milestone (BundID status).
  if (path === '/status-messages')
    return `status message: ${field(b, 'applicationId')} to ${field(b, 'recipient')}: ${field(b, 'status')}`;
  // Forwarding notices per case (its file reference) and recipient authority.
  const forwarded = /^\/recipients\/([^/]+)\/notices$/.exec(path);
  if (forwarded)
    return `forwarding notice: ${field(b, 'gewerbeanzeige', 'aktenzeichen')} to ${decodeURIComponent(forwarded[1]!)}`;
  return undefined;
}

/** Effects that happened more than once: per idempotency key, and per case and purpose. */
export function duplicateEffects(ledgers: Record<string, Ledger>): string[] {
  return Object.entries(ledgers).flatMap(([name, l]) => [
    ...[...l.effects].filter(([, n]) => n > 1).map(([key, n]) => `${name}: key ${key} ${n} times`),
    ...[...l.byPurpose].filter(([, n]) => n > 1).map(([purpose, n]) => `${name}: ${purpose} ${n} times`),
  ]);
}

export const duplicatesIn = (l: Ledger): number =>
  [...l.effects.values()].filter((n) => n > 1).length + [...l.byPurpose.values()].filter((n) => n > 1).length;
export const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

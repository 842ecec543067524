import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { seededRandom } from '../seeded-random.js';
import type { RegisterData } from './data.js';

export const REGISTER_NAMES = ['population', 'vehicles', 'trade', 'uploads', 'gzr'] as const;
export type RegisterName = (typeof REGISTER_NAMES)[number];

/** How a register misbehaves: latency on every answer, a share of 503s, a share of answers that never come in time, or down. */
export interface RegisterFaults {
  latencyMs: number;
  errorRate: number;
  timeoutRate: number;
  /** How long a "timed out" answer is held back. */
  hangMs: number;
  down: boolean;
}

export const NO_FAULTS: RegisterFaults = { latencyMs: 0, errorRate: 0, timeoutRate: 0, hangMs: 30_000, down: false };

export interface RegisterSandboxOptions {
  data: RegisterData;
  faults?: Partial<RegisterFaults>;
  /** Faults for one register, over the common ones. */
  faultsByRegister?: Partial<Record<RegisterName, Partial<RegisterFaults>>>;
  random?: () => number;
  /** Seed of the fault dice when no `random` is given, so a run's faults repeat. */
  seed?: number;
}

export interface RegisterSandbox {
  app: FastifyInstance;
  /** Requests each register received, answered or not. */
  requests: Record<RegisterName, number>;
  /** Answers given per idempotency key (status and body): a repeat of a key is answered from here, marked as replayed. */
  answered: Map<string, { status: number; body: string }>;
  setFaults(register: RegisterName, faults: Partial<RegisterFaults>): void;
}

const subjectBody = {
  type: 'object',
  additionalProperties: false,
  required: ['subject'],
  properties: { subject: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;
const plateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['licensePlate'],
  properties: { licensePlate: { type: 'string', minLength: 1, maxLength: 16 } },
} as const;
const invoiceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['invoiceNumber'],
  properties: { invoiceNumber: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/**
 * Population, vehicle and trade registers over HTTP, from seeded records, with configurable faults.
 * Queries travel in POST bodies so no personal data lands in access logs or URLs.
 */
export function buildRegisterSandbox(o: RegisterSandboxOptions): RegisterSandbox {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const random = o.random ?? seededRandom(o.seed ?? 1);
  const faults = Object.fromEntries(
    REGISTER_NAMES.map((r) => [r, { ...NO_FAULTS, ...o.faults, ...o.faultsByRegister?.[r] }]),
  ) as Record<RegisterName, RegisterFaults>;
  const requests = Object.fromEntries(REGISTER_NAMES.map((r) => [r, 0])) as Record<RegisterName, number>;
  const population = new Map(o.data.population.map((p) => [p.subject, p]));
  const vehicles = new Map(o.data.vehicles.map((v) => [v.licensePlate, v]));
  const trade = new Map<string, RegisterData['trade']>();
  for (const t of o.data.trade) trade.set(t.holderSubject, [...(trade.get(t.holderSubject) ?? []), t]);

  const answered = new Map<string, { status: number; body: string }>();
  const notFound = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Kein Eintrag.' };
  /** Counts the request, waits out the latency and decides whether this answer fails; true means answer normally. */
  async function misbehave(register: RegisterName, reply: FastifyReply): Promise<boolean> {
    requests[register]++;
    const f = faults[register];
    if (f.down) {
      await reply
        .status(503)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: `${register} register is down`,
        });
      return false;
    }
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    const r = random();
    if (r < f.timeoutRate) await sleep(f.hangMs);
    if (r < f.timeoutRate + f.errorRate) {
      await reply
        .status(503)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'try again later' });
      return false;
    }
    // A retrieval already answered under this idempotency key is answered again from the log, not looked up anew.
    const key = keyOf(reply.request.headers['idempotency-key']);
    const known = key && answered.get(key);
    if (known) {
      await reply
        .status(known.status)
        .header('idempotent-replayed', 'true')
        .type(known.status === 200 ? 'application/json' : 'application/problem+json')
        .send(known.body);
      return false;
    }
    return true;
  }
  app.addHook('onSend', async (req, reply, payload) => {
    const key = keyOf(req.headers['idempotency-key']);
    const fresh = reply.getHeader('idempotent-replayed') === undefined;
    if (key && fresh && (reply.statusCode === 200 || reply.statusCode === 404) && typeof payload === 'string')
      answered.set(key, { status: reply.statusCode, body: payload });
    return payload;
  });

  app.post<{ Body: { subject: string } }>(
    '/population/v1/residence',
    { schema: { body: subjectBody } },
    async (req, reply) => {
      if (!(await misbehave('population', reply))) return reply;
      const person = population.get(req.body.subject);
      if (!person) return reply.status(404).type('application/problem+json').send(notFound);
      const household = o.data.population.filter(
        (p) => p.householdId === person.householdId && p.subject !== person.subject,
      );
      return {
        ...person,
        household: household.map((h) => ({ subject: h.subject, familyName: h.familyName, givenName: h.givenName })),
      };
    },
  );

  app.post<{ Body: { licensePlate: string } }>(
    '/vehicles/v1/registration',
    { schema: { body: plateBody } },
    async (req, reply) => {
      if (!(await misbehave('vehicles', reply))) return reply;
      const vehicle = vehicles.get(req.body.licensePlate);
      if (!vehicle) return reply.status(404).type('application/problem+json').send(notFound);
      return vehicle;
    },
  );

  app.post<{ Body: { subject: string } }>(
    '/trade/v1/registrations',
    { schema: { body: subjectBody } },
    async (req, reply) => {
      if (!(await misbehave('trade', reply))) return reply;
      const entries = trade.get(req.body.subject);
      if (!entries) return reply.status(404).type('application/problem+json').send(notFound);
      return { registrations: entries };
    },
  );

  const invoices = new Map((o.data.invoices ?? []).map((i) => [i.invoiceNumber, i]));
  const prohibited = new Set(o.data.tradeProhibitions ?? []);
  app.post<{ Body: { invoiceNumber: string } }>(
    '/invoices/v1/check',
    { schema: { body: invoiceBody } },
    async (req, reply) => {
      if (!(await misbehave('uploads', reply))) return reply;
      const invoice = invoices.get(req.body.invoiceNumber);
      if (!invoice) return reply.status(404).type('application/problem+json').send(notFound);
      return invoice;
    },
  );

  // The Gewerbezentralregister always answers: no entry means no prohibition.
  app.post<{ Body: { subject: string } }>(
    '/gzr/v1/prohibitions',
    { schema: { body: subjectBody } },
    async (req, reply) => {
      if (!(await misbehave('gzr', reply))) return reply;
      return { prohibited: prohibited.has(req.body.subject) };
    },
  );

  return { app, requests, answered, setFaults: (register, f) => Object.assign(faults[register], f) };
}

const keyOf = (h: unknown) => (typeof h === 'string' && h ? h : undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartedRegisterSandbox extends RegisterSandbox {
  url: string;
  stop(): Promise<void>;
}

/** Listens on the given port (0 for any free one, as tests do). */
export async function startRegisterSandbox(
  o: RegisterSandboxOptions & { host?: string; port: number },
): Promise<StartedRegisterSandbox> {
  const sandbox = buildRegisterSandbox(o);
  const host = o.host ?? '127.0.0.1';
  await sandbox.app.listen({ host, port: o.port });
  const { port } = sandbox.app.server.address() as { port: number };
  return { ...sandbox, url: `http://${host}:${port}`, stop: () => sandbox.app.close() };
}

import { type Dispatcher, request } from 'undici';
import type { EvidenceStatus } from '../workflows/contracts/case.js';

export interface RegisterQuery {
  register: string;
  evidenceType: string;
  subject: string;
  application: Record<string, unknown>;
  /** The same for every attempt of one retrieval (case and evidence type), so a register can answer a repeat from its log. */
  idempotencyKey?: string;
}

export interface RegisterAnswer {
  status: Extract<EvidenceStatus, 'found' | 'not_found'>;
  /** The few facts the rules read. */
  facts?: Record<string, unknown>;
  /** The register's whole answer, kept by reference as evidence. */
  record?: unknown;
}

/** A register (population, vehicles, trade) as the evidence activity sees it. Throws when the register can't answer now. */
export interface Registers {
  lookup(query: RegisterQuery): Promise<RegisterAnswer>;
}

/** A register this engine has no address for, or a request that would leave it: retrying can't help. */
export class RegisterNotConfiguredError extends Error {
  override name = 'RegisterNotConfiguredError';
}

/** The register refused the request itself (4xx): the same request will be refused again. */
export class RegisterRefusedError extends Error {
  override name = 'RegisterRefusedError';
}

/** The register answered with an error or not at all; worth retrying. */
export class RegisterUnavailableError extends Error {
  override name = 'RegisterUnavailableError';
}

interface Route {
  path: string;
  body(q: RegisterQuery): Record<string, unknown>;
  facts(record: Record<string, unknown>, q: RegisterQuery): Record<string, unknown>;
}

// The registers' interfaces: which path, which query, which facts the authority may take from the answer.
const ROUTES: Record<string, Route> = {
  population: {
    path: '/population/v1/residence',
    body: (q) => ({ subject: q.subject }),
    facts: (r) => ({
      zone: r['zone'],
      mainResidence: r['residenceType'] === 'main',
      householdSize: 1 + ((r['household'] as unknown[] | undefined)?.length ?? 0),
    }),
  },
  vehicles: {
    path: '/vehicles/v1/registration',
    body: (q) => ({ licensePlate: q.application['licensePlate'] }),
    facts: (r, q) => ({ holderMatches: r['holderSubject'] === q.subject, use: r['use'] }),
  },
  trade: {
    path: '/trade/v1/registrations',
    body: (q) => ({ subject: q.subject }),
    facts: (r) => ({ tradeRegistered: ((r['registrations'] as unknown[] | undefined)?.length ?? 0) > 0 }),
  },
  // The invoice check of the upload service (cargo-bike grant).
  uploads: {
    path: '/invoices/v1/check',
    body: (q) => ({
      invoiceNumber: String((q.application['invoice'] as { number?: unknown } | undefined)?.number ?? ''),
    }),
    facts: (r, q) => ({
      amountCents: r['amountCents'],
      buyerMatches: r['buyerSubject'] === q.subject,
      cargoBike: r['cargoBike'] === true,
    }),
  },
  // Gewerbezentralregister: whether an enforceable trade prohibition exists.
  gzr: {
    path: '/gzr/v1/prohibitions',
    body: (q) => ({ subject: q.subject }),
    facts: (r) => ({ prohibited: r['prohibited'] === true }),
  },
};

export interface HttpRegistersOptions {
  /** Base URL per register name; a register not listed here is never called. */
  endpoints: Record<string, string>;
  timeoutMs: number;
}

/** Registers over HTTP. Requests go only to the configured base URLs, never follow redirects, and give up after `timeoutMs`. */
export class HttpRegisters implements Registers {
  constructor(private readonly o: HttpRegistersOptions) {}

  async lookup(q: RegisterQuery): Promise<RegisterAnswer> {
    const route = ROUTES[q.register];
    const base = this.o.endpoints[q.register];
    if (!route || !base) throw new RegisterNotConfiguredError(`no address configured for register "${q.register}"`);
    const url = new URL(route.path, base);
    if (url.origin !== new URL(base).origin)
      throw new RegisterNotConfiguredError(`register "${q.register}" path leaves its configured address`);
    let res: Dispatcher.ResponseData;
    try {
      // undici's request never follows a redirect: a 3xx is an answer like any other (unavailable, below).
      res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(q.idempotencyKey && { 'idempotency-key': q.idempotencyKey }),
        },
        body: JSON.stringify(route.body(q)),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      throw new RegisterUnavailableError(`${q.register} register did not answer: ${(err as Error).name}`);
    }
    const status = res.statusCode;
    if (status === 404) {
      await res.body.dump();
      return { status: 'not_found' };
    }
    if (status < 200 || status > 299) {
      await res.body.dump();
      if (status >= 400 && status < 500 && status !== 408 && status !== 429)
        throw new RegisterRefusedError(`${q.register} register refused the request: HTTP ${status}`);
      throw new RegisterUnavailableError(`${q.register} register answered HTTP ${status}`);
    }
    const record = (await res.body.json()) as Record<string, unknown>;
    return { status: 'found', facts: route.facts(record, q), record };
  }
}

/** A register no system is connected for (permits are checked by a case worker): it never finds a record. */
export class UnconnectedRegister implements Registers {
  async lookup(): Promise<RegisterAnswer> {
    return { status: 'not_found' };
  }
}

/** The same address for every register this engine knows, e.g. the register sandbox. */
export const allRegistersAt = (baseUrl: string): Record<string, string> =>
  Object.fromEntries(Object.keys(ROUTES).map((r) => [r, baseUrl]));

/** Routes each register to its adapter: registers reached over HTTP and ones answered from seeded records side by side. */
export class RegistersByName implements Registers {
  constructor(
    private readonly byName: Record<string, Registers>,
    private readonly fallback?: Registers,
  ) {}

  lookup(q: RegisterQuery): Promise<RegisterAnswer> {
    const registers = this.byName[q.register] ?? this.fallback;
    if (!registers) return Promise.reject(new RegisterNotConfiguredError(`no adapter for register "${q.register}"`));
    return registers.lookup(q);
  }
}

import { randomUUID } from 'node:crypto';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Fields that hold an applicant's data wherever they sit in a logged object; their values become "[redacted]". */
const PERSONAL_FIELDS = [
  'application',
  'address',
  'street',
  'city',
  'postalCode',
  'iban',
  'licensePlate',
  'firstName',
  'lastName',
  'email',
  'phone',
  'birthDate',
  'subject',
  'recipient',
  'question',
  'answer',
  'text',
  'justification',
  'reply',
  'identity',
  'identityToken',
  'token',
  'authorization',
  'cookie',
  'body',
  'payload',
  'input',
  'args',
  'result',
];
// pino's wildcards match one level each: cover the field at the top and up to four levels down.
const nested = (f: string) => [`*.${f}`, `*.*.${f}`, `*.*.*.${f}`, `*.*.*.*.${f}`];
// `name` only below the top level, where pino keeps the logger's own name.
const redactPaths = [...PERSONAL_FIELDS.flatMap((f) => [f, ...nested(f)]), ...nested('name')];

/** An error as logs may carry it: its kind, code and where it was thrown, never its message (which may quote input). */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: err === undefined ? 'unknown' : typeof err };
  const e = err as Error & { code?: unknown; statusCode?: unknown };
  return {
    type: e.name,
    code: e.code,
    statusCode: e.statusCode,
    stack: e.stack
      ?.split('\n')
      .slice(1, 8)
      .map((l) => l.trim()),
  };
}

/** The engine's structured JSON logger: one line per event, personal fields redacted, errors without messages. */
export function createLogger(o: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: o.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: safeError, error: safeError },
      base: { service: 'ozg-case-engine' },
    },
    o.destination,
  );
}

/** Temporal's runtime logger (worker, workflows' `log`, activities' `log`) forwarding to pino. */
export function temporalLogger(log: Logger): TemporalLogger {
  const level = (l: LogLevel) =>
    (({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' }) as const)[l];
  const write = (l: LogLevel, message: string, meta?: LogMetadata) => {
    const { error, failure, ...rest } = (meta ?? {}) as LogMetadata & { error?: unknown; failure?: unknown };
    log[level(l)](
      { ...rest, ...(error !== undefined && { err: error }), ...(failure !== undefined && { failure: '[redacted]' }) },
      message,
    );
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

/** Fastify options for a logged server: a request id per request (given back as `x-request-id`), no default request lines. */
export function httpLogOptions(
  log?: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId' | 'logController'> | { logger: false } {
  if (!log) return { logger: false };
  return {
    loggerInstance: log,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
  };
}

/** One line per answered request (route pattern, not the URL with its ids and query) and every 5xx as an error with its request id. */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => void reply.header('x-request-id', req.id));
  const failures = new WeakMap<object, unknown>();
  app.addHook('onError', async (req, _reply, err) => void failures.set(req, err));
  app.addHook('onResponse', async (req, reply) => {
    const line = {
      method: req.method,
      route: req.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 500) req.log.error({ ...line, err: failures.get(req) }, 'server error');
    else req.log.info(line, 'request');
  });
}

/** Where log lines go: a file (created with its folder) or standard output. */
export const logDestination = (file?: string): DestinationStream =>
  file ? pino.destination({ dest: file, mkdir: true, sync: false }) : pino.destination(1);

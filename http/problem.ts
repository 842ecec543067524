import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CommandRefusedError } from '../client/task-client.js';
import { InvalidTokenError } from '../platform/auth/tokens.js';
import { UnknownServiceError } from '../services/catalogue.js';
import type { FieldError } from '../workflows/contracts/case.js';

// The one way to fail an HTTP request: routes and hooks throw an HttpProblem, and `problemHandler`, the API's only
// error handler, answers it (or any other error) as RFC 9457 problem details.

export const problemTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export interface ProblemOptions {
  /** Stable, for machines: the problem's type becomes `urn:ozg-case-engine:problem:<code>` and the body carries it. */
  code?: string;
  /** Every field error at once. */
  errors?: FieldError[];
  /** What a person reads as the heading; the status's standard title when absent. */
  title?: string;
  /** Headers the answer carries (a 401 for a bearer token names its scheme). */
  headers?: Record<string, string>;
  /** Where an HTML page sends the person next; not part of the JSON body. */
  next?: { href: string; label: string };
}

/** The RFC 9457 body of a problem. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: FieldError[];
}

/** A refusal with its status and a detail safe to show the caller. */
export class HttpProblem extends Error {
  readonly type: string;
  readonly title: string;
  readonly code?: string;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;
  readonly next?: { href: string; label: string };

  constructor(
    readonly status: number,
    readonly detail: string,
    o: ProblemOptions = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.code = o.code;
    this.type = o.code ? `urn:ozg-case-engine:problem:${o.code}` : 'about:blank';
    this.title = o.title ?? problemTitles[status] ?? 'Error';
    this.errors = o.errors;
    this.headers = o.headers ?? {};
    this.next = o.next;
  }

  body(): ProblemBody {
    const { type, title, status, detail, code, errors } = this;
    return { type, title, status, detail, ...(code && { code }), ...(errors && { errors }) };
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * This route's problems all carry a stable code, Fastify's own refusals included; `internal` is its 500's detail.
     */
    problemCodes?: { internal: string };
    /** Renders this route's problems as a page (HTML for browsers) instead of problem details. */
    problemPage?: (problem: HttpProblem, req: FastifyRequest, reply: FastifyReply) => FastifyReply;
  }
}

/** What a 401 for a bearer token answers with. */
export const bearerChallenge = { 'www-authenticate': 'Bearer' };

const refusalStatus = { forbidden: 403, conflict: 409, invalid: 422 } as const;

// Fastify's own refusals, under codes that stay stable across its versions.
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_RATE_LIMITED: 'too_many_requests',
};

/**
 * Any error as a problem: an HttpProblem as thrown, a refused task command or an unknown service by its meaning,
 * Fastify's own refusals (validation, body, rate limit) with their status, anything else a 500 that names no internals.
 */
export function problemOf(err: unknown, codes?: { internal: string }): HttpProblem {
  const e = err as Partial<FastifyError>;
  const found =
    err instanceof HttpProblem
      ? err
      : err instanceof CommandRefusedError
        ? new HttpProblem(refusalStatus[err.type], err.message)
        : err instanceof UnknownServiceError
          ? new HttpProblem(404, err.message)
          : err instanceof InvalidTokenError
            ? new HttpProblem(401, err.message, { headers: bearerChallenge })
            : e.statusCode && e.statusCode >= 400 && e.statusCode < 500
              ? new HttpProblem(e.statusCode, e.message ?? '')
              : new HttpProblem(500, codes?.internal ?? 'The request could not be processed.');
  if (!codes || found.code) return found;
  const code = found.status >= 500 ? 'internal' : (fastifyCodes[e.code ?? ''] ?? 'bad_request');
  return new HttpProblem(found.status, found.detail, { code, errors: found.errors, headers: found.headers });
}

/** The API's one error handler: the route's page where it renders one, else `application/problem+json`. */
export function problemHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const config = req.routeOptions.config;
  const problem = problemOf(err, config?.problemCodes);
  void reply.status(problem.status).headers(problem.headers);
  if (config?.problemPage) return config.problemPage(problem, req, reply);
  return reply.type('application/problem+json').send(problem.body());
}

/**
 * A refused Temporal update is the caller's conflict (409, with the workflow's reason); an unknown workflow does not
 * exist for them (404, `notFound`). Anything else stays as it is.
 */
export function workflowProblem(err: unknown, notFound: string): unknown {
  const e = err as Error & { cause?: Error };
  if (e.name === 'WorkflowNotFoundError') return new HttpProblem(404, notFound);
  if (e.name === 'WorkflowUpdateFailedError') return new HttpProblem(409, e.cause?.message ?? e.message);
  return err;
}

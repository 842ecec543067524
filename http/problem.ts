import type { FastifyReply } from 'fastify';
import type { FieldError } from '../workflows/contracts/case.js';

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

/** Sends an RFC 9457 problem detail; `code` is stable for machines, `detail` is for people. */
export function sendProblem(
  reply: FastifyReply,
  p: { status: number; code: string; detail: string; errors?: FieldError[] },
) {
  return reply
    .status(p.status)
    .type('application/problem+json')
    .send({
      type: `urn:ozg-case-engine:problem:${p.code}`,
      title: problemTitles[p.status] ?? 'Error',
      status: p.status,
      code: p.code,
      detail: p.detail,
      ...(p.errors && { errors: p.errors }),
    });
}

import type { Consent } from '../workflows/contracts/case.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FieldError } from '../workflows/contracts/case.js';
import { IdentityRejectedError, type TokenVerifier } from '../platform/identity/token-verifier.js';
import { toFieldError } from '../services/validate-application.js';
import type { CaseClient } from '../client/case-client.js';
import { IntakeRefusedError } from '../client/intake-refused.js';
import { responsibleAuthority } from './intake-routing.js';
import type { Place } from '../services/routing.js';
import { problemResponses } from './api-schemas.js';
import { sendProblem } from './problem.js';

/** Largest application body accepted; attachments travel separately, by reference. */
export const INTAKE_BODY_LIMIT = 256 * 1024;

const envelopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['serviceKey', 'identityToken', 'application'],
  properties: {
    serviceKey: { type: 'string', minLength: 1, maxLength: 64 },
    authorityId: { type: 'string', minLength: 1, maxLength: 64 },
    // Without an authority, the engine routes by the place (LeiKa + ARS or postal code).
    place: {
      type: 'object',
      additionalProperties: false,
      properties: { ars: { type: 'string', maxLength: 12 }, postalCode: { type: 'string', maxLength: 5 } },
    },
    identityToken: { type: 'string', minLength: 1, maxLength: 16_384 },
    application: {
      type: 'object',
      additionalProperties: true,
      description: 'the application data, as the schema of GET /services/{serviceKey} says',
    },
    consent: {
      type: 'object',
      additionalProperties: false,
      required: ['evidenceRetrieval'],
      properties: { evidenceRetrieval: { type: 'boolean' } },
    },
  },
} as const;
const envelope = new Ajv2020({ allErrors: true, strict: true }).compile(envelopeSchema);

const submittedCase = {
  type: 'object',
  additionalProperties: false,
  required: ['caseId', 'workflowId', 'ruleSetVersion', 'duplicate'],
  properties: {
    caseId: { type: 'string' },
    workflowId: { type: 'string' },
    ruleSetVersion: { type: 'string' },
    duplicate: { type: 'boolean' },
  },
} as const;

const submitSchema = {
  summary: 'Submit an application (Antrag)',
  headers: {
    type: 'object',
    properties: { 'idempotency-key': { type: 'string', description: 'the same key yields the same case' } },
  },
  body: envelopeSchema,
  response: {
    202: submittedCase,
    200: { ...submittedCase, description: 'the case this Idempotency-Key already started' },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
};

// Fastify's own refusals, under codes that stay stable across its versions.
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_RATE_LIMITED: 'too_many_requests',
};

interface SubmitBody {
  serviceKey: string;
  authorityId?: string;
  place?: Place;
  identityToken: string;
  application: Record<string, unknown>;
  consent?: Consent;
}

const prefixed =
  (prefix: string) =>
  (e: FieldError): FieldError => ({ ...e, pointer: `${prefix}${e.pointer}` });

/**
 * POST /cases: the portal's way in. Verifies the identity token, then hands the verified, pseudonymous identity
 * to the CaseClient, which checks everything before it starts a workflow. Every refusal is a problem detail.
 */
export async function intakeRoutes(app: FastifyInstance, o: { cases: CaseClient; verifier: TokenVerifier }) {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof IntakeRefusedError)
      return sendProblem(reply, {
        status: err.status,
        code: err.code,
        detail: err.message,
        errors: err.errors.map(prefixed('/application')),
      });
    if (err instanceof IdentityRejectedError)
      return sendProblem(reply, { status: 401, code: err.code, detail: err.message });
    if (err.statusCode && err.statusCode < 500)
      return sendProblem(reply, {
        status: err.statusCode,
        code: fastifyCodes[err.code] ?? 'bad_request',
        detail: err.message,
      });
    reply.log.error(err);
    return sendProblem(reply, { status: 500, code: 'internal', detail: 'Der Antrag konnte nicht verarbeitet werden.' });
  });

  // The schema documents the route; the handler checks the envelope itself (no coercion), so refusals keep their stable codes.
  app.post(
    '/cases',
    {
      bodyLimit: INTAKE_BODY_LIMIT,
      schema: submitSchema,
      validatorCompiler: () => () => true,
      config: { access: 'public' },
    },
    async (req, reply) => {
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        return sendProblem(reply, {
          status: 415,
          code: 'unsupported_media_type',
          detail: 'Send the application as application/json.',
        });
      }
      if (!envelope(req.body)) {
        return sendProblem(reply, {
          status: 400,
          code: 'invalid_request',
          detail: 'Die Anfrage ist unvollständig oder fehlerhaft.',
          errors: (envelope.errors ?? []).map(toFieldError),
        });
      }
      const body = req.body as SubmitBody;
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
        return sendProblem(reply, {
          status: 400,
          code: 'invalid_idempotency_key',
          detail: 'Idempotency-Key must be 1 to 200 visible ASCII characters.',
        });
      }
      const identity = await o.verifier.verify(body.identityToken);
      const submitted = await o.cases.submit({
        serviceKey: body.serviceKey,
        authorityId: responsibleAuthority(body),
        identity,
        application: body.application,
        consent: body.consent,
        idempotencyKey: key,
      });
      return reply
        .status(submitted.duplicate ? 200 : 202)
        .header('location', `/cases/${submitted.caseId}`)
        .send(submitted);
    },
  );
}

import type { Consent } from '../workflows/contracts/case.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../workflows/contracts/case.js';
import { IdentityRejectedError, type TokenVerifier } from '../platform/identity/token-verifier.js';
import { toFieldError } from '../services/validate-application.js';
import { type CaseClient, serviceForIntake } from '../client/case-client.js';
import { IntakeRefusedError } from '../client/intake-refused.js';
import { responsibleAuthority } from './intake-routing.js';
import type { Place } from '../services/routing.js';
import { problemResponses } from './api-schemas.js';
import { HttpProblem } from './problem.js';

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
  // The schema documents the route; the handler checks the envelope itself (no coercion), so refusals keep their stable codes.
  app.post(
    '/cases',
    {
      bodyLimit: INTAKE_BODY_LIMIT,
      schema: submitSchema,
      validatorCompiler: () => () => true,
      config: { access: 'public', problemCodes: { internal: 'Der Antrag konnte nicht verarbeitet werden.' } },
    },
    async (req, reply) => {
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
        throw new HttpProblem(415, 'Send the application as application/json.', { code: 'unsupported_media_type' });
      if (!envelope(req.body)) {
        throw new HttpProblem(400, 'Die Anfrage ist unvollständig oder fehlerhaft.', {
          code: 'invalid_request',
          errors: (envelope.errors ?? []).map(toFieldError),
        });
      }
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
        throw new HttpProblem(400, 'Idempotency-Key must be 1 to 200 visible ASCII characters.', {
          code: 'invalid_idempotency_key',
        });
      }
      const submitted = await submit(o, req.body as SubmitBody, key).catch((err: unknown) => {
        throw refusalProblem(err);
      });
      return reply
        .status(submitted.duplicate ? 200 : 202)
        .header('location', `/cases/${submitted.caseId}`)
        .send(submitted);
    },
  );
}

/** The identity first, then the service, looked up once here and handed on, then its responsible authority. */
async function submit(o: { cases: CaseClient; verifier: TokenVerifier }, body: SubmitBody, key?: string) {
  const identity = await o.verifier.verify(body.identityToken);
  const service = serviceForIntake(body.serviceKey);
  return o.cases.submit(
    {
      serviceKey: service.key,
      authorityId: responsibleAuthority({ ...body, service }),
      identity,
      application: body.application,
      consent: body.consent,
      idempotencyKey: key,
    },
    service,
  );
}

/** A refused application or identity as the problem the portal gets: its stable code, field errors under /application. */
function refusalProblem(err: unknown): unknown {
  if (err instanceof IntakeRefusedError)
    return new HttpProblem(err.status, err.message, {
      code: err.code,
      errors: err.errors.map(prefixed('/application')),
    });
  if (err instanceof IdentityRejectedError) return new HttpProblem(401, err.message, { code: err.code });
  return err;
}

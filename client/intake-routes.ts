import type { Consent } from '../contracts/case.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FieldError } from '../contracts/case.js';
import { IdentityRejectedError, type TokenVerifier } from '../identity/token-verifier.js';
import { toFieldError } from '../services/validate-application.js';
import type { CaseClient } from './case-client.js';
import { IntakeRefusedError } from './intake-refused.js';
import { sendProblem } from './problem.js';

/** Largest application body accepted; attachments travel separately, by reference. */
export const INTAKE_BODY_LIMIT = 256 * 1024;

const envelope = new Ajv2020({ allErrors: true, strict: true }).compile({
  type: 'object',
  additionalProperties: false,
  required: ['serviceKey', 'authorityId', 'identityToken', 'application'],
  properties: {
    serviceKey: { type: 'string', minLength: 1, maxLength: 64 },
    authorityId: { type: 'string', minLength: 1, maxLength: 64 },
    identityToken: { type: 'string', minLength: 1, maxLength: 16_384 },
    application: { type: 'object' },
    consent: { type: 'object', additionalProperties: false, required: ['evidenceRetrieval'], properties: { evidenceRetrieval: { type: 'boolean' } } },
  },
});

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
  authorityId: string;
  identityToken: string;
  application: Record<string, unknown>;
  consent?: Consent;
}

const prefixed = (prefix: string) => (e: FieldError): FieldError => ({ ...e, pointer: `${prefix}${e.pointer}` });

/**
 * POST /cases: the portal's way in. Verifies the identity token, then hands the verified, pseudonymous identity
 * to the CaseClient, which checks everything before it starts a workflow. Every refusal is a problem detail.
 */
export async function intakeRoutes(app: FastifyInstance, o: { cases: CaseClient; verifier: TokenVerifier }) {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof IntakeRefusedError) return sendProblem(reply, { status: err.status, code: err.code, detail: err.message, errors: err.errors.map(prefixed('/application')) });
    if (err instanceof IdentityRejectedError) return sendProblem(reply, { status: 401, code: err.code, detail: err.message });
    if (err.statusCode && err.statusCode < 500) return sendProblem(reply, { status: err.statusCode, code: fastifyCodes[err.code] ?? 'bad_request', detail: err.message });
    reply.log.error(err);
    return sendProblem(reply, { status: 500, code: 'internal', detail: 'Der Antrag konnte nicht verarbeitet werden.' });
  });

  app.post('/cases', { bodyLimit: INTAKE_BODY_LIMIT, config: { access: 'public' } }, async (req, reply) => {
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendProblem(reply, { status: 415, code: 'unsupported_media_type', detail: 'Send the application as application/json.' });
    }
    if (!envelope(req.body)) {
      return sendProblem(reply, { status: 400, code: 'invalid_request', detail: 'Die Anfrage ist unvollständig oder fehlerhaft.', errors: (envelope.errors ?? []).map(toFieldError) });
    }
    const body = req.body as SubmitBody;
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(key))) {
      return sendProblem(reply, { status: 400, code: 'invalid_idempotency_key', detail: 'Idempotency-Key must be 1 to 200 visible ASCII characters.' });
    }
    const identity = await o.verifier.verify(body.identityToken);
    const submitted = await o.cases.submit({
      serviceKey: body.serviceKey,
      authorityId: body.authorityId,
      identity,
      application: body.application,
      consent: body.consent,
      idempotencyKey: key,
    });
    return reply.status(submitted.duplicate ? 200 : 202).header('location', `/cases/${submitted.caseId}`).send(submitted);
  });
}

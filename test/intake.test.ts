import { randomUUID } from 'node:crypto';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseIdFromKey } from '../client/case-client.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { listDecisions } from '../db/queries/decisions.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import {
  signToken,
  startLocalIdentityProvider,
  type IssueToken,
  type LocalIdentityProvider,
} from '../dev/identity/local-identity-provider.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { client, db, testApi, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { createCaseEngineClient } from '../client/http/index.js';

let idp: LocalIdentityProvider;
let forger: Awaited<ReturnType<typeof generateKeyPair>>;
let publishedKid: string;
beforeAll(async () => {
  idp = await startLocalIdentityProvider({ host: '127.0.0.1', port: 0, audience: 'ozg-case-engine' });
  forger = await generateKeyPair('ES256');
  publishedKid = ((await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys[0]!.kid;
});
afterAll(() => idp.stop());

const resident = applicationOf('resident', 5);
const token = (t: Partial<IssueToken> = {}) =>
  idp.issue({ subject: resident.identity.subject, trustLevel: 'substantial', ...t });
const body = async (
  o: { token?: string; application?: unknown; serviceKey?: string; authorityId?: string; extra?: object } = {},
) =>
  JSON.stringify({
    serviceKey: o.serviceKey ?? resident.serviceKey,
    authorityId: o.authorityId ?? resident.authorityId,
    identityToken: o.token ?? (await token()),
    application: o.application ?? resident.application,
    consent: resident.consent,
    ...o.extra,
  });

interface Bad {
  name: string;
  status: number;
  code: string;
  payload: () => Promise<string>;
  contentType?: string;
  pointers?: string[];
  idempotencyKey?: string;
  errorCodes?: string[];
}

const envelopeOf = async (o: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(await body()), ...o });
const withAddress = (field: 'street' | 'city', value: string) =>
  body({
    application: {
      ...resident.application,
      address: { ...(resident.application['address'] as object), [field]: value },
    },
  });
const nested = (depth: number): object => (depth === 0 ? {} : { a: nested(depth - 1) });
/** A text field carrying something PostgreSQL, the Bescheid's fonts or a prompt cannot take. */
const badText = (name: string, field: 'street' | 'city', value: string, code: string): Bad => ({
  name,
  status: 422,
  code: 'invalid_application',
  pointers: [`/application/address/${field}`],
  errorCodes: [code],
  payload: () => withAddress(field, value),
});

/** Bad inputs a portal or an attacker may send; each must be refused with a clear answer and leave nothing behind. */
const corpus: Bad[] = [
  {
    name: 'malformed JSON',
    status: 400,
    code: 'malformed_json',
    payload: async () => '{"serviceKey": "99050012104000",',
  },
  {
    name: 'wrong content type',
    status: 415,
    code: 'unsupported_media_type',
    contentType: 'text/plain',
    payload: () => body(),
  },
  {
    name: 'form-encoded body',
    status: 415,
    code: 'unsupported_media_type',
    contentType: 'application/x-www-form-urlencoded',
    payload: async () => 'a=1',
  },
  { name: 'empty JSON body', status: 400, code: 'malformed_json', payload: async () => '' },
  {
    name: 'oversized body',
    status: 413,
    code: 'body_too_large',
    payload: () => body({ application: { ...resident.application, note: 'x'.repeat(300_000) } }),
  },
  {
    name: 'envelope without token, with an extra field',
    status: 400,
    code: 'invalid_request',
    pointers: ['/identityToken', '/identity'],
    payload: async () =>
      JSON.stringify({
        serviceKey: resident.serviceKey,
        authorityId: resident.authorityId,
        identity: resident.identity,
        application: resident.application,
      }),
  },
  {
    name: 'unknown service',
    status: 404,
    code: 'unknown_service',
    payload: () => body({ serviceKey: '99999999999999' }),
  },
  {
    name: 'unknown authority',
    status: 404,
    code: 'unknown_authority',
    payload: () => body({ authorityId: 'stadt-nirgendwo' }),
  },
  {
    name: 'wrong types, missing and extra fields, implausible postal code',
    status: 422,
    code: 'invalid_application',
    pointers: [
      '/application/zone',
      '/application/licensePlate',
      '/application/address/postalCode',
      '/application/colour',
    ],
    payload: () =>
      body({
        application: {
          zone: 12,
          address: { street: 'Am Markt 1', postalCode: '99999', city: 'Musterstadt' },
          colour: 'rot',
        },
      }),
  },
  {
    name: 'cargo-bike invoice dated after the application and below a cargo bike price',
    status: 422,
    code: 'invalid_application',
    pointers: ['/application/invoice/date', '/application/invoice/amountCents'],
    payload: async () => {
      const a = lastenradApplication('eligible', 9);
      const invoice = { ...(a.application['invoice'] as object), date: '2099-01-01', amountCents: 4_900 };
      return body({ serviceKey: a.serviceKey, application: { ...a.application, invoice } });
    },
  },
  {
    name: 'trust level too low',
    status: 403,
    code: 'trust_level_too_low',
    payload: async () => body({ token: await token({ trustLevel: 'low' }) }),
  },
  {
    name: 'acting for someone where the service allows no representation',
    status: 403,
    code: 'representation_not_allowed',
    payload: async () =>
      body({
        token: await token({
          representation: { representedSubject: 'pseudonym-0001', kind: 'person', mandateId: 'M-1' },
        }),
      }),
  },
  {
    name: 'expired token',
    status: 401,
    code: 'token_expired',
    payload: async () => body({ token: await token({ expiresInSeconds: -600 }) }),
  },
  {
    name: 'token forged with a key the provider never published',
    status: 401,
    code: 'token_signature_invalid',
    payload: async () =>
      body({
        token: await signToken(forger.privateKey, publishedKid, idp.issuer, idp.audience, {
          subject: 'pseudonym-0001',
          trustLevel: 'high',
        }),
      }),
  },
  {
    name: 'token for another audience',
    status: 401,
    code: 'token_claim_invalid',
    payload: async () => body({ token: await token({ audience: 'another-service' }) }),
  },
  // The envelope.
  { name: 'JSON array as body', status: 400, code: 'invalid_request', payload: async () => '[]' },
  { name: 'JSON string as body', status: 400, code: 'invalid_request', payload: async () => '"POST"' },
  {
    name: 'service key is a number',
    status: 400,
    code: 'invalid_request',
    pointers: ['/serviceKey'],
    payload: () => envelopeOf({ serviceKey: 99050012104000 }),
  },
  {
    name: 'empty authority',
    status: 400,
    code: 'invalid_request',
    pointers: ['/authorityId'],
    payload: () => envelopeOf({ authorityId: '' }),
  },
  {
    name: 'service key of 65 characters',
    status: 400,
    code: 'invalid_request',
    pointers: ['/serviceKey'],
    payload: () => envelopeOf({ serviceKey: '9'.repeat(65) }),
  },
  {
    name: 'application is an array',
    status: 400,
    code: 'invalid_request',
    pointers: ['/application'],
    payload: () => envelopeOf({ application: [resident.application] }),
  },
  {
    name: 'application is null',
    status: 400,
    code: 'invalid_request',
    pointers: ['/application'],
    payload: () => envelopeOf({ application: null }),
  },
  {
    name: 'consent as a string',
    status: 400,
    code: 'invalid_request',
    pointers: ['/consent/evidenceRetrieval'],
    payload: () => envelopeOf({ consent: { evidenceRetrieval: 'yes' } }),
  },
  {
    name: 'consent with an extra field',
    status: 400,
    code: 'invalid_request',
    pointers: ['/consent/forever'],
    payload: () => envelopeOf({ consent: { evidenceRetrieval: true, forever: true } }),
  },
  {
    name: 'prototype pollution (__proto__)',
    status: 400,
    code: 'malformed_json',
    payload: async () => (await body()).replace(/^\{/, '{"__proto__":{"admin":true},'),
  },
  {
    name: 'prototype pollution (constructor.prototype)',
    status: 400,
    code: 'malformed_json',
    payload: async () => (await body()).replace(/^\{/, '{"constructor":{"prototype":{"admin":true}},'),
  },
  {
    name: 'NUL byte in the service key',
    status: 404,
    code: 'unknown_service',
    payload: () => envelopeOf({ serviceKey: '99050012104000\u0000' }),
  },
  {
    name: 'idempotency key with non-ASCII characters',
    status: 400,
    code: 'invalid_idempotency_key',
    idempotencyKey: 'schlüssel',
    payload: () => body(),
  },
  {
    name: 'idempotency key of 201 characters',
    status: 400,
    code: 'invalid_idempotency_key',
    idempotencyKey: 'k'.repeat(201),
    payload: () => body(),
  },
  // The application's fields.
  badText('NUL byte in a street', 'street', 'Am Markt\u00001', 'invalid_characters'),
  badText('unpaired high surrogate in a city', 'city', 'Muster\ud800stadt', 'invalid_characters'),
  badText('unpaired low surrogate in a city', 'city', 'Muster\udc00stadt', 'invalid_characters'),
  badText('bell control character', 'street', 'Am Markt\u0007 1', 'invalid_characters'),
  badText('C1 control character (NEL)', 'street', 'Am Markt\u0085 1', 'invalid_characters'),
  badText('DEL character', 'city', 'Muster\u007fstadt', 'invalid_characters'),
  badText('right-to-left override', 'street', 'Am Markt \u202e1', 'unsupported_characters'),
  badText('zero-width space', 'city', 'Muster\u200bstadt', 'unsupported_characters'),
  badText('line separator U+2028', 'street', 'Am Markt\u20281', 'unsupported_characters'),
  badText('emoji outside the PDF font', 'city', 'Musterstadt 🚲', 'unsupported_characters'),
  badText('CJK characters', 'street', '市場通り 1', 'unsupported_characters'),
  badText('noncharacter U+FFFF', 'city', 'Muster\uffffstadt', 'unsupported_characters'),
  badText('combining-mark pile-up (Zalgo)', 'city', 'Mu\u0336\u0337ster', 'unsupported_characters'),
  badText('three combining marks on one letter', 'city', 'Mu\u0301\u0302\u0303ster', 'unsupported_characters'),
  badText('private-use character', 'street', 'Am Markt \ue0001', 'unsupported_characters'),
  badText('soft hyphen (invisible)', 'city', 'Muster\u00adstadt', 'unsupported_characters'),
  badText('narrow no-break space', 'street', 'Am\u202fMarkt 1', 'unsupported_characters'),
  badText('fullwidth letters', 'street', 'Ａｍ Markt 1', 'unsupported_characters'),
  {
    name: 'street of 6000 characters',
    status: 422,
    code: 'invalid_application',
    pointers: ['/application/address/street'],
    payload: () => withAddress('street', 'x'.repeat(6_000)),
  },
  {
    name: 'NUL byte in a field name',
    status: 422,
    code: 'invalid_application',
    payload: () => body({ application: { ...resident.application, 'zo\u0000ne': 'B2' } }),
  },
  {
    name: 'nesting 40 levels deep',
    status: 422,
    code: 'invalid_application',
    payload: () => body({ application: { ...resident.application, extra: nested(40) } }),
  },
  {
    name: 'an array of 5000 items',
    status: 422,
    code: 'invalid_application',
    payload: () => body({ application: { ...resident.application, extra: Array.from({ length: 5_000 }, () => 1) } }),
  },
  {
    name: 'a number too large for JSON (1e400)',
    status: 422,
    code: 'invalid_application',
    pointers: ['/application/zone'],
    payload: async () => (await body()).replace('"zone":"B2"', '"zone":1e400'),
  },
  {
    name: 'postal code as a number',
    status: 422,
    code: 'invalid_application',
    pointers: ['/application/address/postalCode'],
    payload: () =>
      body({
        application: {
          ...resident.application,
          address: { ...(resident.application['address'] as object), postalCode: 48143 },
        },
      }),
  },
  // The identity token.
  {
    name: 'identity token that is no JWT',
    status: 401,
    code: 'token_invalid',
    payload: () => body({ token: 'not-a-jwt' }),
  },
  {
    name: 'identity token of 16385 characters',
    status: 400,
    code: 'invalid_request',
    pointers: ['/identityToken'],
    payload: () => body({ token: 'x'.repeat(16_385) }),
  },
  {
    name: 'identity token with a NUL byte',
    status: 401,
    code: 'token_invalid',
    payload: async () => body({ token: `${await token()}\u0000` }),
  },
  {
    name: 'trusted token whose subject carries a NUL byte',
    status: 401,
    code: 'invalid_identity',
    payload: async () => body({ token: await token({ subject: 'pseudonym\u0000-0764' }) }),
  },
  {
    name: 'trusted token whose subject is 300 characters long',
    status: 401,
    code: 'invalid_identity',
    payload: async () => body({ token: await token({ subject: 'p'.repeat(300) }) }),
  },
  {
    name: 'token signed with HS256 and the public key as secret (algorithm confusion)',
    status: 401,
    code: 'token_invalid',
    payload: async () => {
      const seg = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${seg({ alg: 'HS256', typ: 'JWT', kid: publishedKid })}.${seg({ iss: idp.issuer, aud: idp.audience, sub: 'x', acr: 'http://eidas.europa.eu/LoA/high', exp: 4e9 })}`;
      return body({ token: `${unsigned}.${Buffer.from('forged').toString('base64url')}` });
    },
  },
  {
    name: 'unsigned token (alg none)',
    status: 401,
    code: 'token_invalid',
    payload: async () => {
      const seg = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return body({
        token: `${seg({ alg: 'none', typ: 'JWT' })}.${seg({ iss: idp.issuer, aud: idp.audience, sub: 'x', acr: 'http://eidas.europa.eu/LoA/high', exp: 4e9 })}.`,
      });
    },
  },
];

describe('intake over HTTP', () => {
  it('refuses every bad input with a problem detail and field errors, storing nothing and starting no workflow', async () => {
    await withWorker(async ({ cases, taskQueue }) => {
      const api = await testApi(cases, {
        identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
      });
      const keys: string[] = [];
      for (const bad of corpus) {
        const key = bad.idempotencyKey ?? `corpus-${randomUUID()}`;
        keys.push(key);
        const res = await api.inject({
          method: 'POST',
          url: '/cases',
          headers: { 'content-type': bad.contentType ?? 'application/json', 'idempotency-key': key },
          payload: await bad.payload(),
        });
        const problem = res.json() as {
          type: string;
          title: string;
          status: number;
          code: string;
          detail: string;
          errors?: Array<{ pointer: string; code: string; message: string }>;
        };
        expect([bad.name, res.statusCode, res.headers['content-type'], problem.code]).toEqual([
          bad.name,
          bad.status,
          'application/problem+json; charset=utf-8',
          bad.code,
        ]);
        expect([bad.name, problem.type, problem.status]).toEqual([
          bad.name,
          `urn:ozg-case-engine:problem:${bad.code}`,
          bad.status,
        ]);
        expect(problem.detail.length).toBeGreaterThan(0);
        if (bad.pointers)
          expect([bad.name, problem.errors?.map((e) => e.pointer).sort()]).toEqual([
            bad.name,
            [...bad.pointers].sort(),
          ]);
        if (bad.errorCodes) expect([bad.name, problem.errors?.map((e) => e.code)]).toEqual([bad.name, bad.errorCodes]);
      }

      // The positive control on the same queue: a valid submission runs, and its duplicate gets the same case.
      const key = `valid-${randomUUID()}`;
      const submit = async (payload: string) =>
        api.inject({
          method: 'POST',
          url: '/cases',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          payload,
        });
      const first = await submit(await body());
      expect(first.statusCode).toBe(202);
      const again = await submit(await body());
      expect([again.statusCode, again.json()]).toEqual([200, { ...first.json(), duplicate: true }]);
      const other = await submit(await body({ application: { ...resident.application, zone: 'C3' } }));
      expect([other.statusCode, other.json().code]).toEqual([409, 'idempotency_key_reused']);
      const { caseId } = first.json() as { caseId: string };
      expect((await cases.result(caseId)).outcome).toBe('approved');
      // The key is the submitter's own: another applicant using the same key gets a case of their own, not a 409.
      const neighbour = applicationOf('resident', 6);
      const theirs = await submit(
        await body({ application: neighbour.application, token: await token({ subject: neighbour.identity.subject }) }),
      );
      expect(theirs.statusCode).toBe(202);
      const neighbourCase = (theirs.json() as { caseId: string }).caseId;
      expect(neighbourCase).not.toBe(caseId);
      expect((await cases.status(neighbourCase)).applicantSubject).toBe(neighbour.identity.subject);

      for (const k of keys) {
        const refused = caseIdFromKey(resident.identity.subject, k);
        expect(await getCase(db, { caseId: refused })).toBeUndefined();
        expect(await listCaseEvents(db, { caseId: refused })).toEqual([]);
        expect(await listDecisions(db, { caseId: refused })).toEqual([]);
      }
      const started: string[] = [];
      for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) started.push(w.workflowId);
      // The two accepted cases run (each with the Bekanntgabe it starts as it closes); a refused input started nothing.
      const accepted = [caseWorkflowId(caseId), caseWorkflowId(neighbourCase)];
      expect(started.filter((id) => !accepted.some((a) => id === a || id.startsWith(`${a}:`)))).toEqual([]);
      expect(accepted.filter((a) => !started.includes(a))).toEqual([]);
      expect(corpus.length).toBeGreaterThanOrEqual(40);
      await api.close();
    });
  });

  it('records a mandate: a company representative registers a business for it', async () => {
    await withWorker(async ({ cases }) => {
      const api = await testApi(cases, {
        identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
      });
      const a = gewerbeApplication('retail', 7);
      const representation = {
        representedSubject: 'org-hrb-4711',
        kind: 'organisation' as const,
        mandateId: 'mandat-2026-0042',
      };
      const res = await api.inject({
        method: 'POST',
        url: '/cases',
        headers: { 'content-type': 'application/json' },
        payload: await body({
          serviceKey: a.serviceKey,
          application: a.application,
          token: await token({ subject: a.identity.subject, representation }),
        }),
      });
      expect(res.statusCode).toBe(202);
      const { caseId } = res.json() as { caseId: string };
      expect((await cases.result(caseId)).outcome).toBe('approved');
      const received = (await listCaseEvents(db, { caseId })).find((e) => e.type === 'case.received');
      expect(received?.data).toMatchObject({ representation });
      await api.close();
    });
  });

  it('serves the catalogue for portals: schemas, evidence, fees, trust level and authorities', async () => {
    await withWorker(async ({ cases }) => {
      const api = await testApi(cases, {
        identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
      });
      // As a portal reads it: through the generated client, against the listening API.
      const url = await api.listen({ host: '127.0.0.1', port: 0 });
      const portal = createCaseEngineClient(url);
      const list = (await portal.GET('/services')).data!;
      expect(list.map((s) => s.key).sort()).toEqual([
        '99050012104000',
        '99050012104001',
        '99108001001000',
        '99123456789001',
      ]);
      expect(list.find((s) => s.key === '99123456789001')!.href).toBe('/services/99123456789001');
      const grant = (await portal.GET('/services/{serviceKey}', { params: { path: { serviceKey: '99123456789001' } } }))
        .data!;
      expect(grant).toMatchObject({
        fee: { timing: 'payout' },
        escalation: { fourEyes: true },
        evidence: expect.arrayContaining([expect.objectContaining({ evidenceType: 'invoice', uploadAllowed: true })]),
        schemas: { '1': expect.objectContaining({ $schema: 'https://json-schema.org/draft/2020-12/schema' }) },
      });
      const unknown = await portal.GET('/services/{serviceKey}', { params: { path: { serviceKey: '0' } } });
      expect([unknown.response.status, unknown.error?.code]).toEqual([404, 'unknown_service']);
      await api.close();
    });
  });
});

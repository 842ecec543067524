import { DEV_SEARCH_INDEX_SECRET } from '../platform/blind-index.js';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertStartable, sealIdentities, startupProblems } from '../app/production-profile.js';
import { ConfigError, DEV_WEBHOOK_SECRET, loadConfig } from '../platform/config.js';
import { DemoSealKeyStore } from '../dev/demo-seal-keys.js';
import { startEngine } from '../dev/engine.js';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import { createTestCa, withX5c } from '../dev/stand-ins/fit-connect/test-pki.js';
import { generateDestinationKeys } from '../adapters/fit-connect/crypto.js';
import { actorPublicKey } from '../workflows/contracts/actor-assertion.js';

const dir = mkdtempSync(join(tmpdir(), 'ozg-profile-'));
const seals = join(dir, 'seals');
const sharedSeals = join(dir, 'shared-seals');

beforeAll(async () => {
  // One seal per authority, under one CA; and a folder where every authority got a copy of the same key.
  const store = new DemoSealKeyStore(seals);
  await Promise.all(sealIdentities().map((id) => store.keyFor(id)));
  const shared = new DemoSealKeyStore(sharedSeals);
  await shared.keyFor(sealIdentities()[0]!);
  for (const id of sealIdentities().slice(1))
    copyFileSync(join(sharedSeals, `${sealIdentities()[0]}.p12`), join(sharedSeals, `${id}.p12`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const production = (): NodeJS.ProcessEnv => ({
  ENGINE_PROFILE: 'production',
  DATABASE_URL: 'postgres://engine@db.internal:5432/engine?sslmode=verify-full',
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  TEMPORAL_TLS: 'true',
  TEMPORAL_API_KEY: 'temporal-api-key',
  ACTOR_SIGNING_KEY: '11'.repeat(32),
  ACTOR_VERIFY_KEYS: actorPublicKey('11'.repeat(32)),
  WORKBENCH_OIDC_ISSUER: 'https://sso.example.de',
  AUTH_AUDIENCE: 'ozg-staff',
  OIDC_ISSUER: 'https://id.example.de',
  AUTH_JWKS_URL: 'https://sso.example.de/jwks.json',
  AUTH_ISSUER: 'https://sso.example.de',
  PUBLIC_BASE_URL: 'https://bescheid.example.de',
  PAYMENT_PROVIDER_URL: 'https://epay.example.de',
  POSTBOX_URL: 'https://postfach.example.de',
  REGISTER_BASE_URL: 'https://register-gateway.example.de',
  PAYMENT_WEBHOOK_SECRET: 'whsec_cHJvZHVjdGlvbi1zZWNyZXQ=',
  SEAL_DIR: seals,
  SEAL_P12_PASSPHRASE: 'demo-seal',
  SEAL_TRUST_ANCHORS: join(seals, 'demo-ca.pem'),
  PAYLOAD_KEYS: 'k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
  WORKBENCH_SESSION_SECRET: 'production-session-secret-of-32-characters',
  SEARCH_INDEX_SECRET: 'production-search-index-secret-of-32-characters',
});

async function problemsOf(env: NodeJS.ProcessEnv, kind: 'api' | 'worker' = 'worker'): Promise<string[]> {
  return startupProblems(loadConfig(env), kind, env);
}

describe('the production profile fails closed', () => {
  it('accepts a complete, secure configuration for API and worker', async () => {
    expect(await problemsOf(production(), 'worker')).toEqual([]);
    expect(await problemsOf(production(), 'api')).toEqual([]);
  });

  const bad: Array<[string, (e: NodeJS.ProcessEnv) => void, RegExp]> = [
    ['no identity provider', (e) => delete e['OIDC_ISSUER'], /^OIDC_ISSUER: not set/],
    [
      'an http identity provider',
      (e) => (e['OIDC_ISSUER'] = 'http://id.example.de'),
      /^OIDC_ISSUER: must be an https URL, got http:/,
    ],
    ['no API token keys', (e) => delete e['AUTH_JWKS_URL'], /^AUTH_JWKS_URL: not set/],
    [
      'API token keys from a local file',
      (e) => ((e['AUTH_JWKS_FILE'] = join(dir, 'jwks.json')), delete e['AUTH_JWKS_URL']),
      /^AUTH_JWKS_URL: not set .*a local key file is for the demo only/,
    ],
    [
      'API token keys over http',
      (e) => (e['AUTH_JWKS_URL'] = 'http://sso.example.de/jwks.json'),
      /^AUTH_JWKS_URL: must be an https URL, got http:/,
    ],
    [
      'a postbox over http',
      (e) => (e['POSTBOX_URL'] = 'http://postfach.example.de'),
      /^POSTBOX_URL: must be an https URL/,
    ],
    [
      'the local token issuer name',
      (e) => delete e['AUTH_ISSUER'],
      /^AUTH_ISSUER: must be the https URL .* got ozg-case-engine-local$/,
    ],
    [
      'no public base URL',
      (e) => delete e['PUBLIC_BASE_URL'],
      /^PUBLIC_BASE_URL: must be the engine's public https address .* got http:\/\/127\.0\.0\.1:8080$/,
    ],
    ['no payment provider', (e) => delete e['PAYMENT_PROVIDER_URL'], /^PAYMENT_PROVIDER_URL: not set/],
    [
      'a payment provider over http',
      (e) => (e['PAYMENT_PROVIDER_URL'] = 'http://epay.example.de'),
      /^PAYMENT_PROVIDER_URL: must be an https URL, got http:/,
    ],
    ['no postbox', (e) => delete e['POSTBOX_URL'], /^POSTBOX_URL: not set/],
    ['no registers', (e) => delete e['REGISTER_BASE_URL'], /^REGISTER_BASE_URL: not set/],
    ['no Temporal address', (e) => delete e['TEMPORAL_ADDRESS'], /^TEMPORAL_ADDRESS: not set/],
    ['no database', (e) => delete e['DATABASE_URL'], /^DATABASE_URL: not set/],
    [
      'the development webhook secret',
      (e) => (e['PAYMENT_WEBHOOK_SECRET'] = DEV_WEBHOOK_SECRET),
      /^PAYMENT_WEBHOOK_SECRET: is the public development secret/,
    ],
    [
      'the webhook secret left unset',
      (e) => delete e['PAYMENT_WEBHOOK_SECRET'],
      /^PAYMENT_WEBHOOK_SECRET: is the public development secret/,
    ],
    [
      'no workbench session secret',
      (e) => delete e['WORKBENCH_SESSION_SECRET'],
      /^WORKBENCH_SESSION_SECRET: not set \(signs the workbench session cookies/,
    ],
    [
      'no search index secret',
      (e) => delete e['SEARCH_INDEX_SECRET'],
      /^SEARCH_INDEX_SECRET: not set \(derives each authority's key of the workbench's blind search index/,
    ],
    [
      'the development search index secret',
      (e) => (e['SEARCH_INDEX_SECRET'] = DEV_SEARCH_INDEX_SECRET),
      /^SEARCH_INDEX_SECRET: is the public development secret/,
    ],
    ['no payload keys', (e) => delete e['PAYLOAD_KEYS'], /^PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: not set/],
    ['no seals', (e) => (delete e['SEAL_DIR'], delete e['SEAL_TRUST_ANCHORS']), /^SEAL_DIR: not set/],
    [
      'one PKCS#12 file for all authorities',
      (e) => ((e['SEAL_P12_FILE'] = join(seals, `${sealIdentities()[0]}.p12`)), delete e['SEAL_DIR']),
      /^SEAL_P12_FILE: one key for all authorities is not allowed/,
    ],
    [
      'the same key copied for every authority',
      (e) => ((e['SEAL_DIR'] = sharedSeals), (e['SEAL_TRUST_ANCHORS'] = join(sharedSeals, 'demo-ca.pem'))),
      /^SEAL_DIR: authorities ".+" and ".+" share one seal key/,
    ],
    [
      'an authority without its seal',
      (e) => (e['SEAL_DIR'] = join(dir, 'empty')),
      /^SEAL_DIR: no usable seal for authority "stadt-musterstadt" \(stadt-musterstadt\.p12: ENOENT\)$/,
    ],
    ['a wrong seal passphrase', (e) => (e['SEAL_P12_PASSPHRASE'] = 'wrong'), /^SEAL_DIR: no usable seal for authority/],
    [
      'unreadable trust anchors',
      (e) => (e['SEAL_TRUST_ANCHORS'] = join(dir, 'missing.pem')),
      /^SEAL_TRUST_ANCHORS: no CA certificate could be read$/,
    ],
    // The trust boundaries (issue 26).
    [
      'Temporal without TLS',
      (e) => (delete e['TEMPORAL_TLS'], delete e['TEMPORAL_API_KEY']),
      /^TEMPORAL_TLS: the production profile needs TLS/,
    ],
    [
      'TLS to Temporal without a client certificate or API key',
      (e) => delete e['TEMPORAL_API_KEY'],
      /^TEMPORAL_TLS_CERT_FILE or TEMPORAL_API_KEY: the Temporal frontend must see who connects/,
    ],
    [
      'a database connection without TLS',
      (e) => (e['DATABASE_URL'] = 'postgres://engine@db.internal:5432/engine'),
      /^DATABASE_URL: the database connection must use TLS .* got sslmode=unset$/,
    ],
    [
      'a database connection that only prefers TLS',
      (e) => (e['DATABASE_URL'] = 'postgres://engine@db.internal:5432/engine?sslmode=prefer'),
      /^DATABASE_URL: .* got sslmode=prefer$/,
    ],
    [
      'registers over http',
      (e) => (e['REGISTER_BASE_URL'] = 'http://register.internal'),
      /^REGISTER_BASE_URL: must be an https URL/,
    ],
    [
      'forwarding over http',
      (e) => (e['FORWARDING_URL'] = 'http://empfaenger.internal'),
      /^FORWARDING_URL: must be an https URL/,
    ],
    [
      'the assistant over http',
      (e) => (e['ASSISTANT_URL'] = 'http://llm.internal:8000/v1'),
      /^ASSISTANT_URL: must be an https URL/,
    ],
    [
      'an object store over http',
      (e) => ((e['BLOB_STORE'] = 's3'), (e['S3_BUCKET'] = 'akten'), (e['S3_ENDPOINT'] = 'http://minio.internal:9000')),
      /^S3_ENDPOINT: must be an https URL/,
    ],
    [
      'a timestamp authority over http',
      (e) => (e['TSA_URL'] = 'http://tsa.internal'),
      /^TSA_URL: must be an https URL/,
    ],
    [
      'no actor signing key',
      (e) => delete e['ACTOR_SIGNING_KEY'],
      /^ACTOR_SIGNING_KEY: not set, or the public development key/,
    ],
    [
      'the staff login at the citizens’ identity provider',
      (e) => delete e['WORKBENCH_OIDC_ISSUER'],
      /^WORKBENCH_OIDC_ISSUER: staff would log in at the citizens' identity provider/,
    ],
    [
      'one audience for staff and citizen tokens',
      (e) => delete e['AUTH_AUDIENCE'],
      /^AUTH_AUDIENCE: the staff API tokens' audience must differ/,
    ],
  ];

  it('refuses a worker that trusts the public development actor key, and accepts a shared identity provider only when declared', async () => {
    const env = production();
    delete env['ACTOR_VERIFY_KEYS'];
    delete env['ACTOR_SIGNING_KEY'];
    expect(await problemsOf(env, 'worker')).toEqual([
      expect.stringMatching(/^ACTOR_VERIFY_KEYS: trusts the public development key/),
    ]);
    const shared = {
      ...production(),
      WORKBENCH_OIDC_ISSUER: 'https://id.example.de',
      WORKBENCH_SHARED_IDENTITY_PROVIDER: 'true',
    };
    expect(await problemsOf(shared, 'api')).toEqual([]);
  });

  it.each(bad)('refuses %s, naming the variable', async (_name, spoil, expected) => {
    const env = production();
    spoil(env);
    const problems = await problemsOf(env, 'api');
    expect(
      problems.some((p) => expected.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('lists every problem at once, and refuses to start with all of them in one message', async () => {
    const env = { ENGINE_PROFILE: 'production' };
    const problems = await problemsOf(env, 'worker');
    // One line per variable, never two.
    expect(new Set(problems.map((p) => p.split(':')[0])).size).toBe(problems.length);
    for (const variable of [
      'TEMPORAL_ADDRESS',
      'DATABASE_URL',
      'OIDC_ISSUER',
      'AUTH_JWKS_URL',
      'AUTH_ISSUER',
      'PUBLIC_BASE_URL',
      'PAYMENT_PROVIDER_URL',
      'POSTBOX_URL',
      'REGISTER_BASE_URL',
      'PAYMENT_WEBHOOK_SECRET',
      'PAYLOAD_KEYS',
      'SEAL_DIR',
      'WORKBENCH_SESSION_SECRET',
      'SEARCH_INDEX_SECRET',
    ]) {
      expect(
        problems.some((p) => p.startsWith(variable)),
        variable,
      ).toBe(true);
    }
    const err = await assertStartable(loadConfig(env), 'worker', env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(problems.length);
  });

  it('does not start the embedded development stack at all', async () => {
    const err = await startEngine(loadConfig(production()), { registerData: sampleRegisterData() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/does not run in the production profile/);
  });
});

describe('the demo profile', () => {
  it('is the default, and asks a standalone process only for what it cannot run without', async () => {
    expect(loadConfig({}).profile).toBe('demo');
    const env = {
      ...production(),
      ENGINE_PROFILE: undefined,
      OIDC_ISSUER: 'http://127.0.0.1:8094',
      AUTH_JWKS_URL: undefined,
      AUTH_JWKS_FILE: join(dir, 'jwks.json'),
      PAYMENT_WEBHOOK_SECRET: undefined,
      PAYLOAD_KEYS: undefined,
    };
    expect(await problemsOf(env, 'api')).toEqual([]);
    expect(await problemsOf({}, 'worker')).toEqual([
      'TEMPORAL_ADDRESS: not set (the Temporal frontend, host:port)',
      'DATABASE_URL: not set (the PostgreSQL the engine keeps its records in)',
      "REGISTER_BASE_URL: not set (the registers' gateway)",
      'PAYMENT_PROVIDER_URL: not set (the payment provider)',
      'SEAL_DIR: not set (one <sealIdentity>.p12 per authority, with SEAL_TRUST_ANCHORS)',
    ]);
  });
});

describe('FIT-Connect in the production profile', () => {
  const keyFiles = {
    enc: join(dir, 'fit-enc.json'),
    sig: join(dir, 'fit-sig.json'),
    eid: join(dir, 'fit-eid-ca.pem'),
    keyCa: join(dir, 'fit-key-ca.pem'),
    bareSig: join(dir, 'fit-sig-bare.json'),
  };
  beforeAll(async () => {
    const keys = await generateDestinationKeys();
    // The destination's keys carry x5c chains to the key CA, as FIT-Connect asks.
    const keyCa = createTestCa('V-PKI');
    writeFileSync(keyFiles.enc, JSON.stringify(withX5c(keyCa, keys.encryptionPrivate, 'enc')));
    writeFileSync(keyFiles.sig, JSON.stringify(withX5c(keyCa, keys.signingPrivate, 'sig')));
    writeFileSync(keyFiles.bareSig, JSON.stringify(keys.signingPrivate));
    writeFileSync(keyFiles.eid, createTestCa('eID-CA').certificatePem);
    writeFileSync(keyFiles.keyCa, keyCa.certificatePem);
  });
  const withFitConnect = (o: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...production(),
    FIT_CONNECT_SUBMISSION_URL: 'https://submission-api-testing.fit-connect.fitko.dev',
    FIT_CONNECT_TOKEN_URL: 'https://auth-testing.fit-connect.fitko.dev/token',
    FIT_CONNECT_CLIENT_ID: 'subscriber-client',
    FIT_CONNECT_CLIENT_SECRET: 'subscriber-secret',
    FIT_CONNECT_DESTINATION_ID: 'a3c3a8a6-2f4e-4c53-9a55-3e4b9f0d7c11',
    FIT_CONNECT_AUTHORITY_ID: 'stadt-musterstadt',
    FIT_CONNECT_ENCRYPTION_KEY_FILE: keyFiles.enc,
    FIT_CONNECT_SIGNING_KEY_FILE: keyFiles.sig,
    FIT_CONNECT_EID_TRUST_ANCHORS: keyFiles.eid,
    FIT_CONNECT_KEY_TRUST_ANCHORS: keyFiles.keyCa,
    ...o,
  });

  it('is optional, and allows a real delivery service over https with readable 4096-bit keys', async () => {
    expect(loadConfig(production()).fitConnect).toBeUndefined();
    expect(await problemsOf(withFitConnect(), 'api')).toEqual([]);
    expect(loadConfig(withFitConnect()).fitConnect).toMatchObject({
      destinationId: expect.any(String),
      pollMs: 30_000,
    });
  });

  it('refuses the stand-in (plain http) for the delivery service and its token endpoint', async () => {
    const problems = await problemsOf(
      withFitConnect({
        FIT_CONNECT_SUBMISSION_URL: 'http://127.0.0.1:8098',
        FIT_CONNECT_TOKEN_URL: 'http://127.0.0.1:8098/token',
      }),
      'api',
    );
    expect(problems).toEqual([
      expect.stringMatching(/^FIT_CONNECT_SUBMISSION_URL: must be the delivery service's https URL/),
      expect.stringMatching(/^FIT_CONNECT_TOKEN_URL: must be the OAuth token endpoint's https URL/),
    ]);
  });

  it('requires the trust anchors: the eID services for identification reports, the CA for the keys (x5c)', async () => {
    const env = withFitConnect();
    delete env['FIT_CONNECT_EID_TRUST_ANCHORS'];
    delete env['FIT_CONNECT_KEY_TRUST_ANCHORS'];
    expect(await problemsOf(env, 'api')).toEqual([
      expect.stringMatching(/^FIT_CONNECT_EID_TRUST_ANCHORS: not set/),
      expect.stringMatching(/^FIT_CONNECT_KEY_TRUST_ANCHORS: not set/),
    ]);
  });

  it('refuses a destination key without an x5c chain to the configured CA', async () => {
    expect(await problemsOf(withFitConnect({ FIT_CONNECT_SIGNING_KEY_FILE: keyFiles.bareSig }), 'api')).toEqual([
      'FIT_CONNECT_SIGNING_KEY_FILE: x5c is missing or no list of certificates',
    ]);
  });

  it('refuses unreadable key files, naming the variable', async () => {
    const problems = await problemsOf(
      withFitConnect({ FIT_CONNECT_SIGNING_KEY_FILE: join(dir, 'missing.json') }),
      'api',
    );
    expect(problems).toEqual([expect.stringMatching(/^FIT_CONNECT_SIGNING_KEY_FILE: cannot read a JWK/)]);
  });

  it('needs every FIT-Connect setting once one is given', () => {
    expect(() => loadConfig({ FIT_CONNECT_DESTINATION_ID: 'x' })).toThrow(
      /FIT_CONNECT_SUBMISSION_URL, .*: required with FIT_CONNECT_DESTINATION_ID/,
    );
  });
});

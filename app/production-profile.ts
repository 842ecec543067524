import { DEV_ACTOR_SIGNING_KEY, DEV_WEBHOOK_SECRET, type Config } from '../platform/config.js';
import { actorPublicKey } from '../workflows/contracts/actor-assertion.js';
import { ConfigError } from '../platform/config.js';
import { DEV_SEARCH_INDEX_SECRET } from '../platform/blind-index.js';
import { Pkcs12DirectorySealKeyStore } from '../adapters/seal-keys.js';
import { listServices } from '../services/catalogue.js';
import { readPrivateJwk } from '../adapters/fit-connect/crypto.js';
import { readTrustAnchors } from '../adapters/fit-connect/x5c.js';
import { checkKeyChain } from './fit-connect.js';

export type ProcessKind = 'api' | 'worker';

const isHttps = (url: string | undefined) => Boolean(url && /^https:\/\//i.test(url));

/** Every seal identity of an authority that offers a service: each needs its own key and certificate. */
export const sealIdentities = (): string[] =>
  [...new Set(listServices().flatMap((svc) => Object.values(svc.authorities).map((a) => a.sealIdentity)))].sort();

/**
 * What keeps a standalone process from starting: in any profile what it cannot run without, and in production
 * everything that would be insecure. Returns every problem at once, one line each, naming the variable.
 */
export async function startupProblems(
  config: Config,
  kind: ProcessKind,
  env: NodeJS.ProcessEnv = process.env,
  o: StartupChecks = {},
): Promise<string[]> {
  const problems: string[] = [];
  const production = config.profile === 'production';
  // In production every process gets the whole deployment's settings; in the demo profile only what it cannot run without.
  const needed = (k: ProcessKind | 'both') => production || k === 'both' || k === kind;
  const setting = (
    k: ProcessKind | 'both',
    variable: string,
    value: string | undefined,
    what: string,
    https = false,
  ) => {
    if (!needed(k)) return;
    if (!value) problems.push(`${variable}: not set (${what})`);
    else if (production && https && !isHttps(value)) problems.push(`${variable}: must be an https URL, got ${value}`);
  };
  setting('both', 'TEMPORAL_ADDRESS', config.temporalAddress, 'the Temporal frontend, host:port');
  setting('both', 'DATABASE_URL', config.databaseUrl, 'the PostgreSQL the engine keeps its records in');
  setting('worker', 'REGISTER_BASE_URL', config.registerBaseUrl, "the registers' gateway");
  setting('worker', 'PAYMENT_PROVIDER_URL', config.paymentProviderUrl, 'the payment provider', true);
  setting(
    'api',
    'OIDC_ISSUER',
    config.oidcIssuer,
    'the identity provider whose tokens applicants bring to intake',
    true,
  );
  if (production)
    setting(
      'api',
      'AUTH_JWKS_URL',
      config.authJwksUrl,
      'the key set of the issuer of API bearer tokens; a local key file is for the demo only',
      true,
    );
  else
    setting(
      'api',
      'AUTH_JWKS_URL',
      config.authJwksUrl ?? config.authJwksFile,
      'the key set of the issuer of API bearer tokens, or AUTH_JWKS_FILE',
    );
  if (config.fitConnect && needed('api')) {
    for (const [variable, file] of [
      ['FIT_CONNECT_ENCRYPTION_KEY_FILE', config.fitConnect.encryptionKeyFile],
      ['FIT_CONNECT_SIGNING_KEY_FILE', config.fitConnect.signingKeyFile],
    ] as const)
      await readPrivateJwk(file, variable).catch((err: Error) => problems.push(err.message));
  }
  if (!config.sealDir && !config.seal)
    problems.push('SEAL_DIR: not set (one <sealIdentity>.p12 per authority, with SEAL_TRUST_ANCHORS)');
  if (!production) return problems;

  if (!isHttps(config.authIssuer))
    problems.push(`AUTH_ISSUER: must be the https URL of the API token issuer, got ${config.authIssuer}`);
  if (!isHttps(config.publicBaseUrl))
    problems.push(
      `PUBLIC_BASE_URL: must be the engine's public https address (printed in every seal's QR code), got ${config.publicBaseUrl}`,
    );
  setting('both', 'POSTBOX_URL', config.postboxUrl, "the applicants' postbox", true);
  // A random per-process secret would log case workers out on every restart and break sessions across API processes.
  setting(
    'api',
    'WORKBENCH_SESSION_SECRET',
    config.workbench.sessionSecret,
    'signs the workbench session cookies and CSRF tokens; at least 32 characters, the same in every API process',
  );
  if (config.legalDayMs !== undefined)
    problems.push(
      'LEGAL_DAY_MS: shortens the legal day for development and tests; a legal day lasts a day in production',
    );
  setting(
    'api',
    'SEARCH_INDEX_SECRET',
    config.workbench.searchIndexSecret,
    "derives each authority's key of the workbench's blind search index; at least 32 characters, the same in every API process",
  );
  if (config.workbench.searchIndexSecret === DEV_SEARCH_INDEX_SECRET)
    problems.push('SEARCH_INDEX_SECRET: is the public development secret; set your own');
  if (config.paymentWebhookSecret === DEV_WEBHOOK_SECRET)
    problems.push("PAYMENT_WEBHOOK_SECRET: is the public development secret; set your provider's");
  if (!payloadKeysConfigured(config, env))
    problems.push('PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: not set (the keys that encrypt personal data in Temporal)');
  if (config.seal && !config.sealDir)
    problems.push(
      'SEAL_P12_FILE: one key for all authorities is not allowed; use SEAL_DIR with one <sealIdentity>.p12 per authority',
    );
  if (config.sealDir) problems.push(...(await sealProblems(config.sealDir)));
  // FIT-Connect is optional; configured, it must be a real delivery service (the stand-in speaks plain http) with a callback secret of its own.
  problems.push(...trustBoundaryProblems(config, kind, o));
  if (config.fitConnect) {
    const f = config.fitConnect;
    if (!isHttps(f.submissionUrl))
      problems.push(`FIT_CONNECT_SUBMISSION_URL: must be the delivery service's https URL, got ${f.submissionUrl}`);
    if (!isHttps(f.tokenUrl))
      problems.push(`FIT_CONNECT_TOKEN_URL: must be the OAuth token endpoint's https URL, got ${f.tokenUrl}`);
    if (!f.eidTrustAnchorsFile)
      problems.push(
        'FIT_CONNECT_EID_TRUST_ANCHORS: not set (the CAs of the eID services whose identification reports count)',
      );
    if (!f.keyTrustAnchorsFile)
      problems.push("FIT_CONNECT_KEY_TRUST_ANCHORS: not set (the CAs the destination's keys chain to, x5c)");
    else problems.push(...(await fitConnectKeyChainProblems(f)));
    if (f.eidTrustAnchorsFile)
      await readTrustAnchors(f.eidTrustAnchorsFile, 'FIT_CONNECT_EID_TRUST_ANCHORS').catch((err: Error) =>
        problems.push(err.message),
      );
  }
  return problems;
}

/** What a caller may leave out of the checks: only the test stack, whose local Temporal and PostgreSQL speak no TLS. */
export interface StartupChecks {
  /** Skip the TLS requirements on the Temporal and database connections (never set by api.ts or worker.ts). */
  plainTransportForTests?: boolean;
}

const SSL_MODES = new Set(['require', 'verify-ca', 'verify-full']);

/**
 * The production profile's trust boundaries: Temporal and PostgreSQL over TLS with credentials, personal data and
 * secrets to outside systems over https only, who acts on a case signed with a key of the deployment's own, and the
 * staff's identity provider and token audience apart from the citizens'.
 */
function trustBoundaryProblems(config: Config, kind: ProcessKind, o: StartupChecks): string[] {
  const problems: string[] = [];
  if (!o.plainTransportForTests) {
    if (!config.temporalTls)
      problems.push('TEMPORAL_TLS: the production profile needs TLS to the Temporal frontend (TEMPORAL_TLS=true)');
    if (!(config.temporalTls?.certFile && config.temporalTls.keyFile) && !config.temporalApiKey)
      problems.push(
        'TEMPORAL_TLS_CERT_FILE or TEMPORAL_API_KEY: the Temporal frontend must see who connects (a client certificate with TEMPORAL_TLS_KEY_FILE, or an API key)',
      );
    const sslmode = config.databaseUrl && new URL(config.databaseUrl).searchParams.get('sslmode');
    if (config.databaseUrl && !SSL_MODES.has(sslmode ?? ''))
      problems.push(
        `DATABASE_URL: the database connection must use TLS (sslmode=verify-full, verify-ca or require), got sslmode=${sslmode ?? 'unset'}`,
      );
  }
  // Personal data or secrets travel to each of these.
  for (const [variable, value] of [
    ['REGISTER_BASE_URL', config.registerBaseUrl],
    ['FORWARDING_URL', config.forwardingUrl],
    ['ASSISTANT_URL', config.assistant?.url],
    ['S3_ENDPOINT', config.blobStore.kind === 's3' ? config.blobStore.endpoint : undefined],
    ['TSA_URL', config.tsaUrl === 'off' ? undefined : config.tsaUrl],
  ] as const)
    if (value && !isHttps(value)) problems.push(`${variable}: must be an https URL, got ${value}`);
  const devPublic = actorPublicKey(DEV_ACTOR_SIGNING_KEY);
  if (
    kind === 'api' &&
    (!config.actorAssertion.signingKeyConfigured || config.actorAssertion.signingKey === DEV_ACTOR_SIGNING_KEY)
  )
    problems.push(
      'ACTOR_SIGNING_KEY: not set, or the public development key (signs who acts on a case; the workers trust its public key)',
    );
  if (kind === 'worker' && config.actorAssertion.verifyKeys.includes(devPublic))
    problems.push(
      "ACTOR_VERIFY_KEYS: trusts the public development key; set the public key(s) of the API processes' ACTOR_SIGNING_KEY",
    );
  if (
    config.workbench.oidcIssuer &&
    config.oidcIssuer &&
    sameIssuer(config.workbench.oidcIssuer, config.oidcIssuer) &&
    !config.workbench.sharedIdentityProvider
  )
    problems.push(
      "WORKBENCH_OIDC_ISSUER: staff would log in at the citizens' identity provider (OIDC_ISSUER); set the authority's own, or WORKBENCH_SHARED_IDENTITY_PROVIDER=true if that is intended",
    );
  if (config.authAudience === config.oidcAudience)
    problems.push(
      `AUTH_AUDIENCE: the staff API tokens' audience must differ from the citizens' identity tokens' (OIDC_AUDIENCE), both are "${config.authAudience}"`,
    );
  return problems;
}

const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** The payload codec's key ring settings (read by the codec's configuration). */
export const PAYLOAD_KEY_VARIABLES = ['PAYLOAD_KEYS', 'PAYLOAD_KEYS_FILE'] as const;

/** The codec's key ring, by its config field once it exists, else by its variables. */
function payloadKeysConfigured(config: Config, env: NodeJS.ProcessEnv): boolean {
  const fromConfig = (config as unknown as Record<string, unknown>)['payloadKeys'];
  return Boolean(
    (Array.isArray(fromConfig) ? fromConfig.length : fromConfig) || env['PAYLOAD_KEYS'] || env['PAYLOAD_KEYS_FILE'],
  );
}

/** Every authority's seal loads from its own file, and no two share a key. */
async function sealProblems(o: NonNullable<Config['sealDir']>): Promise<string[]> {
  const store = new Pkcs12DirectorySealKeyStore(o);
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const identity of sealIdentities()) {
    const key = await store.keyFor(identity).catch((err: Error) => {
      problems.push(
        `SEAL_DIR: no usable seal for authority "${identity}" (${identity}.p12: ${(err as NodeJS.ErrnoException).code ?? err.message})`,
      );
    });
    if (!key) continue;
    const shared = owners.get(key.publicKeySha256 ?? key.fingerprint);
    if (shared)
      problems.push(`SEAL_DIR: authorities "${shared}" and "${identity}" share one seal key; each needs its own`);
    else owners.set(key.publicKeySha256 ?? key.fingerprint, identity);
  }
  const anchors = await store.trustAnchors().catch(() => []);
  if (anchors.length === 0) problems.push('SEAL_TRUST_ANCHORS: no CA certificate could be read');
  return problems;
}

/** Refuses to start, listing every problem, or returns. */
export async function assertStartable(
  config: Config,
  kind: ProcessKind,
  env: NodeJS.ProcessEnv = process.env,
  o: StartupChecks = {},
): Promise<void> {
  const problems = await startupProblems(config, kind, env, o);
  if (problems.length === 0) return;
  const what =
    config.profile === 'production'
      ? `The ${kind} refuses to start in the production profile`
      : `The ${kind} cannot start`;
  throw new ConfigError(`${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Both destination keys must carry an x5c chain to the configured CA, each certifying its own key. */
async function fitConnectKeyChainProblems(f: NonNullable<Config['fitConnect']>): Promise<string[]> {
  const problems: string[] = [];
  try {
    const anchors = await readTrustAnchors(f.keyTrustAnchorsFile!, 'FIT_CONNECT_KEY_TRUST_ANCHORS');
    for (const [variable, file] of [
      ['FIT_CONNECT_ENCRYPTION_KEY_FILE', f.encryptionKeyFile],
      ['FIT_CONNECT_SIGNING_KEY_FILE', f.signingKeyFile],
    ] as const) {
      const jwk = await readPrivateJwk(file, variable).catch(() => undefined);
      if (!jwk) continue; // named above already
      try {
        checkKeyChain(jwk, anchors, variable);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}

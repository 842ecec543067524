import { DEV_WEBHOOK_SECRET, type Config } from '../config.js';
import { ConfigError } from '../config.js';
import { Pkcs12DirectorySealKeyStore } from '../adapters/seal-keys.js';
import { listServices } from '../services/catalogue.js';

export type ProcessKind = 'api' | 'worker';

const isHttps = (url: string | undefined) => Boolean(url && /^https:\/\//i.test(url));

/** Every seal identity of an authority that offers a service: each needs its own key and certificate. */
export const sealIdentities = (): string[] =>
  [...new Set(listServices().flatMap((svc) => Object.values(svc.authorities).map((a) => a.sealIdentity)))].sort();

/**
 * What keeps a standalone process from starting: in any profile what it cannot run without, and in production
 * everything that would be insecure. Returns every problem at once, one line each, naming the variable.
 */
export async function startupProblems(config: Config, kind: ProcessKind, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const problems: string[] = [];
  const need = (ok: unknown, line: string) => void (!ok && problems.push(line));
  const production = config.profile === 'production';

  need(config.temporalAddress, 'TEMPORAL_ADDRESS: not set (the Temporal frontend, host:port)');
  need(config.databaseUrl, 'DATABASE_URL: not set (the PostgreSQL the engine keeps its records in)');
  if (kind === 'worker') {
    need(config.registerBaseUrl, 'REGISTER_BASE_URL: not set (the registers\' gateway)');
    need(config.paymentProviderUrl, 'PAYMENT_PROVIDER_URL: not set (the payment provider)');
  }
  if (kind === 'api') {
    need(config.oidcIssuer, 'OIDC_ISSUER: not set (the identity provider whose tokens applicants bring to intake)');
    need(config.authJwksUrl || config.authJwksFile, 'AUTH_JWKS_URL: not set (the keys of the issuer of API bearer tokens)');
  }
  need(config.sealDir || config.seal, 'SEAL_DIR: not set (one <sealIdentity>.p12 per authority, with SEAL_TRUST_ANCHORS)');
  if (!production) return problems;

  need(isHttps(config.oidcIssuer), `OIDC_ISSUER: must be an https URL${config.oidcIssuer ? `, got ${config.oidcIssuer}` : ''}`);
  need(isHttps(config.authJwksUrl), 'AUTH_JWKS_URL: must be an https URL (a local key file is for the demo only)');
  need(isHttps(config.authIssuer), `AUTH_ISSUER: must be the https URL of the API token issuer, got ${config.authIssuer}`);
  need(isHttps(config.publicBaseUrl), `PUBLIC_BASE_URL: must be the engine's public https address (printed in every seal's QR code), got ${config.publicBaseUrl}`);
  need(isHttps(config.paymentProviderUrl), 'PAYMENT_PROVIDER_URL: must be an https URL');
  need(config.postboxUrl, 'POSTBOX_URL: not set (the applicants\' postbox)');
  need(config.registerBaseUrl, 'REGISTER_BASE_URL: not set (the registers\' gateway)');
  need(config.paymentWebhookSecret !== DEV_WEBHOOK_SECRET, 'PAYMENT_WEBHOOK_SECRET: is the public development secret; set your provider\'s');
  need(payloadKeysConfigured(config, env), 'PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: not set (the keys that encrypt personal data in Temporal)');
  if (config.seal && !config.sealDir) problems.push('SEAL_P12_FILE: one key for all authorities is not allowed; use SEAL_DIR with one <sealIdentity>.p12 per authority');
  if (config.sealDir) problems.push(...(await sealProblems(config.sealDir)));
  return problems;
}

/** The codec's key ring, by its config field once it exists, else by its variables. */
function payloadKeysConfigured(config: Config, env: NodeJS.ProcessEnv): boolean {
  const fromConfig = (config as unknown as Record<string, unknown>)['payloadKeys'];
  return Boolean((Array.isArray(fromConfig) ? fromConfig.length : fromConfig) || env['PAYLOAD_KEYS'] || env['PAYLOAD_KEYS_FILE']);
}

/** Every authority's seal loads from its own file, and no two share a key. */
async function sealProblems(o: NonNullable<Config['sealDir']>): Promise<string[]> {
  const store = new Pkcs12DirectorySealKeyStore(o);
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const identity of sealIdentities()) {
    const key = await store.keyFor(identity).catch((err: Error) => {
      problems.push(`SEAL_DIR: no usable seal for authority "${identity}" (${identity}.p12: ${(err as NodeJS.ErrnoException).code ?? err.message})`);
    });
    if (!key) continue;
    const shared = owners.get(key.publicKeySha256 ?? key.fingerprint);
    if (shared) problems.push(`SEAL_DIR: authorities "${shared}" and "${identity}" share one seal key; each needs its own`);
    else owners.set(key.publicKeySha256 ?? key.fingerprint, identity);
  }
  const anchors = await store.trustAnchors().catch(() => []);
  if (anchors.length === 0) problems.push('SEAL_TRUST_ANCHORS: no CA certificate could be read');
  return problems;
}

/** Refuses to start, listing every problem, or returns. */
export async function assertStartable(config: Config, kind: ProcessKind, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const problems = await startupProblems(config, kind, env);
  if (problems.length === 0) return;
  const what = config.profile === 'production' ? `The ${kind} refuses to start in the production profile` : `The ${kind} cannot start`;
  throw new ConfigError(`${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { actorPublicKey } from '../workflows/contracts/actor-assertion.js';
import { KeyRingError, parseKeyFile, parseKeyList, type PayloadKey } from './codec/key-ring.js';

// The repository root, also when running from dist/.
const projectRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url));

/** The payment sandbox's public development secret; refused in production. */
export const DEV_WEBHOOK_SECRET = 'whsec_b3pnLXBheW1lbnQtc2FuZGJveC1kZXYtc2VjcmV0';

/** The demo's public Ed25519 seed that signs who acts on a case (everyone can read it here); refused in production. */
export const DEV_ACTOR_SIGNING_KEY = '6f7a672d636173652d656e67696e652d646576656c6f706d656e742d6b657921';
const hex32 = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32 bytes)');

/**
 * One environment variable, declared once: its validation and default (zod), what it means, and, where the default
 * is no plain value (unset starts a stand-in, or it is worked out), how the reference shows it. docs/configuration.md
 * is generated from these (`npm run config:table`).
 */
const setting = <T extends z.ZodType>(type: T, meaning: string, shownDefault?: string): T =>
  type.meta({ description: meaning, ...(shownDefault !== undefined && { shownDefault }) });

const port = z.coerce.number().int().min(1).max(65535);
const url = z.string().url();
const text = z.string().min(1);
const whole = z.coerce.number().int();

// The FIT-Connect settings come together or not at all.
const FIT_CONNECT_NEEDED = 'unset; required with `FIT_CONNECT_SUBMISSION_URL`';

const variables = z.object({
  DATABASE_URL: setting(
    url.optional(),
    'use this PostgreSQL instead (e.g. `postgres://postgres@127.0.0.1:5432/test`)',
    'unset: embedded PostgreSQL',
  ),
  TEMPORAL_ADDRESS: setting(
    text.optional(),
    'use this Temporal frontend and start none (production/cluster path); search attributes are registered if missing',
    'unset: start the dev server',
  ),
  TEMPORAL_NAMESPACE: setting(text.default('default'), 'the Temporal namespace'),
  TEMPORAL_PORT: setting(port.default(7233), 'gRPC port of the dev server the engine starts'),
  TEMPORAL_UI_PORT: setting(port.default(8233), 'Web UI port of the dev server the engine starts'),
  TEMPORAL_CLI: setting(
    z.string().default(resolve(projectRoot, '.tools/venv/bin/temporal')),
    'the Temporal CLI binary',
    '`.tools/venv/bin/temporal`',
  ),
  EMBEDDED_PG_PORT: setting(port.default(54329), 'port of the embedded PostgreSQL'),
  HTTP_HOST: setting(z.string().default('127.0.0.1'), 'address the HTTP API listens on'),
  HTTP_PORT: setting(port.default(8080), 'port of the HTTP API'),
  OIDC_ISSUER: setting(
    url.optional(),
    "trust identity tokens from this OpenID Connect issuer (keys from its discovery document's `jwks_uri`)",
    'unset: start the local sandbox identity provider',
  ),
  OIDC_AUDIENCE: setting(text.default('ozg-case-engine'), 'the `aud` identity tokens must carry'),
  IDP_PORT: setting(port.default(8094), 'port of the local sandbox identity provider (on `HTTP_HOST`)'),
  DATA_DIR: setting(
    z.string().default(resolve(projectRoot, '.data')),
    "embedded PostgreSQL cluster, Temporal's SQLite file, documents, seal keys, archive, the local token signing key",
    '`.data`',
  ),
  PUBLIC_BASE_URL: setting(
    url.optional(),
    "base of the public verification address printed in every seal's QR code",
    '`http://HTTP_HOST:HTTP_PORT`',
  ),
  SEAL_P12_FILE: setting(
    text.optional(),
    "the authority's seal key and certificate (PKCS#12); production path",
    'unset: demo CA in `DATA_DIR/seal`',
  ),
  SEAL_P12_PASSPHRASE: setting(
    z.string().default(''),
    'passphrase of `SEAL_P12_FILE` (and of the files in `SEAL_DIR`)',
  ),
  SEAL_TRUST_ANCHORS: setting(
    text.optional(),
    'PEM file of the CA certificates verifiers trust',
    'required with `SEAL_P12_FILE` or `SEAL_DIR`',
  ),
  POSTBOX_URL: setting(
    url.optional(),
    'deliver to this postbox (same HTTP contract as the sandbox)',
    'unset: start the postbox sandbox',
  ),
  POSTBOX_SANDBOX_PORT: setting(port.default(8093), 'port of the postbox sandbox the engine starts'),
  TSA_URL: setting(
    z.union([z.literal('off'), url]).optional(),
    'RFC 3161 timestamp authority for PAdES B-T seals; `off` seals B-B only',
    'unset: start the TSA stand-in',
  ),
  TSA_SANDBOX_PORT: setting(port.default(8095), 'port of the TSA stand-in'),
  FORWARDING_URL: setting(
    url.optional(),
    'where forwarded Gewerbeanzeigen go (`POST /recipients/<recipient>/notices`)',
    'unset: start the forwarding stand-in',
  ),
  FORWARDING_SANDBOX_PORT: setting(port.default(8096), 'port of the forwarding stand-in'),
  MAIL_GATEWAY_URL: setting(
    url.optional(),
    'mail gateway for applicants whose FIT-Connect reply channel is e-mail (`POST /mails`, Idempotency-Key header)',
    'unset: the postbox stand-in in development; in production such replies go to the postbox',
  ),
  REGISTER_BASE_URL: setting(
    url.optional(),
    "the registers' address; adapters call nothing else",
    'unset: start the register sandbox',
  ),
  REGISTER_TIMEOUT_MS: setting(
    whole.min(1).default(5_000),
    'one register call slower than this counts as failed and is retried',
  ),
  REGISTER_SANDBOX_PORT: setting(port.default(8091), 'port of the register sandbox the engine starts'),
  REGISTER_SANDBOX_LATENCY_MS: setting(whole.min(0).default(25), 'sandbox: delay of every answer'),
  REGISTER_SANDBOX_ERROR_RATE: setting(
    z.coerce.number().min(0).max(1).default(0.05),
    'sandbox: share of calls answered with 503',
  ),
  REGISTER_SANDBOX_TIMEOUT_RATE: setting(
    z.coerce.number().min(0).max(1).default(0),
    'sandbox: share of calls answered too late (30 s)',
  ),
  UPLOAD_MAX_BYTES: setting(whole.min(1).default(10 * 1024 * 1024), 'largest evidence upload an applicant may send'),
  RATE_LIMIT_PUBLIC_MAX: setting(
    whole.min(1).default(100),
    "requests per client address and window on each public route that costs work (intake, `/services/search`, `/verify`, applicants' questions); beyond it `429` with `Retry-After`",
  ),
  LEGAL_DAY_MS: setting(
    whole.min(100).optional(),
    'how long one legal day lasts for the timers after the decision (waiting for the postbox retrieval, § 41 Abs. 2a VwVfG), so development and tests move time by configuration; dates are still computed by the calendar; refused in production',
    'unset: a day',
  ),
  RATE_LIMIT_WINDOW_MS: setting(whole.min(1_000).default(60_000), "the public rate limit's window"),
  TRUST_PROXY: setting(
    z.string().optional(),
    "the reverse proxies' addresses (comma-separated, CIDRs allowed): rate limits count the client named in `X-Forwarded-For` rather than the proxy",
    'unset: no proxy trusted',
  ),
  PAYMENT_PROVIDER_URL: setting(
    url.optional(),
    'use this payment provider (same HTTP interface as the sandbox)',
    'unset: start the payment sandbox',
  ),
  PAYMENT_SANDBOX_PORT: setting(port.default(8092), 'port of the payment sandbox'),
  PAYMENT_SANDBOX_OUTCOME: setting(
    z.enum(['paid', 'failed', 'abandoned', 'manual']).default('paid'),
    'what the sandbox does with a new transaction: `paid`, `failed`, `abandoned`, or `manual` (wait for the payment page)',
  ),
  PAYMENT_SANDBOX_DELAY_MS: setting(
    whole.min(0).default(300),
    "how long the sandbox's simulated applicant takes before that outcome",
  ),
  PAYMENT_WEBHOOK_SECRET: setting(
    z
      .string()
      .regex(/^(whsec_)?[A-Za-z0-9+/]+=*$/, 'must be base64, optionally prefixed whsec_')
      .default(DEV_WEBHOOK_SECRET),
    "shared webhook secret, Standard Webhooks format (`whsec_` + base64); set your provider's in production",
    'a development secret (the sandbox only)',
  ),
  AUTH_JWKS_URL: setting(
    url.optional(),
    'verify bearer tokens against this JWKS (your identity provider)',
    'unset: local signing key in `DATA_DIR/keys/auth-signing-key.json`',
  ),
  AUTH_ISSUER: setting(text.default('ozg-case-engine-local'), 'required `iss` of bearer tokens'),
  AUTH_AUDIENCE: setting(text.default('ozg-case-engine'), 'required `aud` of bearer tokens'),
  LOG_LEVEL: setting(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    'the least severe JSON log lines written: `fatal`, `error`, `warn`, `info`, `debug` or `trace`',
  ),
  LOG_FILE: setting(
    text.optional(),
    'where the JSON log lines of worker and HTTP API go',
    'unset: standard output (the demo: `DATA_DIR/logs/engine.log`)',
  ),
  ASSISTANT_URL: setting(
    z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
      .optional(),
    'base URL of an OpenAI-compatible chat-completions server (llama.cpp, vLLM, Ollama, hosted), e.g. `http://127.0.0.1:8000/v1`',
    'unset: assistant off',
  ),
  ASSISTANT_MODEL: setting(text.default('local-model'), 'model name sent with each request'),
  ASSISTANT_API_KEY: setting(text.optional(), 'sent as `Authorization: Bearer …` when set'),
  ASSISTANT_TIMEOUT_MS: setting(
    whole.min(100).max(120_000).default(8_000),
    'hard deadline per model call (100–120000); past it the deterministic route answers',
  ),
  PAYLOAD_KEYS: setting(
    text.optional(),
    'payload encryption keys, `id:base64key,id:base64key` (32-byte AES-256 keys, oldest first, newest last)',
    'unset: a development key ring generated into `DATA_DIR/keys/payload-keys.json`',
  ),
  PAYLOAD_KEYS_FILE: setting(
    text.optional(),
    'the same as a JSON file `{ "keys": [{ "id": "...", "key": "<base64>" }] }`; set this or `PAYLOAD_KEYS`, not both',
  ),
  CODEC_SERVER_PORT: setting(
    port.default(8097),
    'the codec server (started by the demo beside the dev server; `npm run codec-server` alone)',
  ),
  CODEC_SESSION_TTL: setting(
    z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(8 * 3600),
    'seconds a codec server session (the Web UI sign-in at `/codec/session`) lasts; the operator signs in again after it',
  ),
  CODEC_CORS_ORIGINS: setting(
    z.string().optional(),
    "origins (the Web UI's) allowed to call the codec server from a browser",
    '`http://localhost:TEMPORAL_UI_PORT,http://127.0.0.1:TEMPORAL_UI_PORT`',
  ),
  WORKBENCH_OIDC_ISSUER: setting(
    url.optional(),
    "the authority's OpenID provider staff log in to the workbench with (authorization code flow with PKCE)",
    '`OIDC_ISSUER`, else the local sandbox provider',
  ),
  WORKBENCH_CLIENT_ID: setting(
    z.string().min(1).max(100).default('ozg-workbench'),
    "the workbench's client id at that provider",
  ),
  WORKBENCH_SHARED_IDENTITY_PROVIDER: setting(
    z.enum(['true', 'false']).default('false'),
    '`true`: staff log in at the same identity provider as citizens (`WORKBENCH_OIDC_ISSUER` = `OIDC_ISSUER`), which the production profile otherwise refuses',
  ),
  WORKBENCH_SESSION_IDLE_MINUTES: setting(
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    'a workbench session ends after this many minutes without a request (sessions live in PostgreSQL; logout revokes)',
  ),
  WORKBENCH_SESSION_SECRET: setting(
    z.string().min(32).optional(),
    "signs the workbench's session cookie (≥ 32 characters); required in the production profile",
    'unset: made at start-up (sessions end with the process)',
  ),
  SEARCH_INDEX_SECRET: setting(
    z.string().min(32).optional(),
    "secret material (≥ 32 characters) from which each authority's key of the workbench's blind search index is derived (HKDF; names, birth dates, licence plates, addresses are stored only as keyed hashes); the same in every API process, required in the production profile; changing it makes existing cases unfindable by those values",
    "unset: the demo's public development secret (refused in production)",
  ),
  ACTOR_SIGNING_KEY: setting(
    hex32.optional(),
    "the API's Ed25519 key (32-byte seed, hex) that signs who acts on a case worker's task; a secret, API processes only",
    "unset: the demo's public development key (refused in production)",
  ),
  ACTOR_VERIFY_KEYS: setting(
    z.string().optional(),
    "the Ed25519 public keys (hex, comma-separated: old and new while rotating) the worker's workflows accept a case worker's action from",
    'unset: the public key of `ACTOR_SIGNING_KEY`',
  ),
  BLOB_STORE: setting(
    z.enum(['folder', 'postgres', 's3']).optional(),
    'where documents, sealed Bescheide, uploads and archive packages live: `folder` (under `DATA_DIR`, this machine only), `postgres` (table `blobs`, reached by every process), `s3` (an S3-compatible bucket)',
    '`folder` (demo), `postgres` (production profile)',
  ),
  S3_BUCKET: setting(
    text.optional(),
    "the bucket with `BLOB_STORE=s3`; credentials come from the standard AWS chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile, or the platform's role)",
    'required with `BLOB_STORE=s3`',
  ),
  S3_PREFIX: setting(z.string().default(''), 'prefix of every object key in that bucket'),
  S3_ENDPOINT: setting(url.optional(), 'an S3-compatible endpoint instead of AWS', 'unset: AWS'),
  S3_REGION: setting(text.default('eu-central-1'), "the bucket's region"),
  S3_FORCE_PATH_STYLE: setting(
    z.enum(['true', 'false']).default('false'),
    '`true`: path-style bucket addresses (`<endpoint>/<bucket>/…`), as many S3-compatible servers need',
  ),
  METRICS_PORT: setting(
    z.union([z.literal('off'), port]).optional(),
    "Prometheus `GET /metrics` of this process on `HTTP_HOST` (a worker: `WORKER_HEALTH_HOST`); the Temporal SDK's own exporter listens on the next port (loopback) and is appended; `off` turns it off",
    '`9464` in the demo, else unset (off)',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting(
    url.optional(),
    'export OpenTelemetry traces over OTLP/HTTP (`<endpoint>/v1/traces`)',
    'unset: no tracing',
  ),
  ENGINE_PROFILE: setting(
    z.enum(['demo', 'production']).default('demo'),
    '`production` refuses to start on any missing or insecure setting (see "Running in production" in the README)',
  ),
  TASK_QUEUE: setting(text.default('ozg-cases'), 'the task queue API and workers share'),
  WORKFLOW_BUNDLE: setting(
    text.optional(),
    'a prebuilt workflow bundle (`npm run bundle:workflows -- <file>`; `npm run build` writes `dist/workflow-bundle.js`; the image has `/app/workflow-bundle.js`): the worker starts without webpack, sooner and smaller. Ignored with tracing on, whose interceptors need their own bundle',
    'unset: the worker bundles `workflows/` at start-up',
  ),
  SEAL_DIR: setting(
    text.optional(),
    'one `<sealIdentity>.p12` per authority (passphrase `SEAL_P12_PASSPHRASE`, anchors `SEAL_TRUST_ANCHORS`); the production path',
  ),
  AUTH_JWKS_FILE: setting(
    text.optional(),
    "bearer-token keys from a local JWKS file (the demo's, for extra processes); production needs `AUTH_JWKS_URL`",
  ),
  TEMPORAL_TLS: setting(
    z.enum(['true', 'false']).optional(),
    'TLS to the Temporal frontend (`true` or `false`)',
    'off, on when a TLS file or API key is set',
  ),
  TEMPORAL_TLS_CA_FILE: setting(text.optional(), "CA of the frontend's certificate", 'unset: system roots'),
  TEMPORAL_TLS_CERT_FILE: setting(
    text.optional(),
    'client certificate: mutual TLS (with `TEMPORAL_TLS_KEY_FILE`: both or neither)',
  ),
  TEMPORAL_TLS_KEY_FILE: setting(
    text.optional(),
    'client key: mutual TLS (with `TEMPORAL_TLS_CERT_FILE`: both or neither)',
  ),
  TEMPORAL_TLS_SERVER_NAME: setting(text.optional(), "server name (SNI) to expect in the frontend's certificate"),
  TEMPORAL_API_KEY: setting(text.optional(), 'Temporal Cloud API key, sent as a bearer token (implies TLS)'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: setting(whole.min(1).default(100), 'activities one worker runs at once'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: setting(whole.min(2).default(40), 'workflow tasks one worker runs at once'),
  WORKER_MAX_CACHED_WORKFLOWS: setting(
    whole.min(0).default(1000),
    "workflows the worker keeps in memory between their tasks (roughly 100-400 KB each); more waiting cases are evicted and replayed from their history on their next event (bounds the worker's memory)",
  ),
  WORKER_STACK_TRACE_LIMIT: setting(
    whole.min(0).default(10),
    "stack frames the workflow sandbox keeps per stack trace (V8's `Error.stackTraceLimit` there): the Temporal SDK takes one, source-mapped, for every promise a workflow creates, for the `__stack_trace` query (its own hook takes two of the frames); a workflow failure's stack trace has as many. Fewer frames cost less CPU per case and show less of a waiting workflow's callers",
    "10, Node's own default (5 measured no better on a loaded machine: docs/contributors.md, Benchmark)",
  ),
  WORKER_HEALTH_HOST: setting(
    z.string().default('127.0.0.1'),
    "address of the standalone worker's `/livez` and `/readyz`",
  ),
  WORKER_HEALTH_PORT: setting(port.default(8081), "port of the standalone worker's `/livez` and `/readyz`"),
  SHUTDOWN_GRACE_MS: setting(
    whole.min(0).default(30_000),
    'after SIGTERM, how long a process lets in-flight work (a worker: running activities) finish',
  ),
  SERVICE_DIRS: setting(
    z.string().optional(),
    "comma-separated folders of teams' services (a service folder, or a folder of them), loaded besides the samples",
  ),
  EXTENSIONS: setting(
    z.string().optional(),
    'comma-separated extension modules (`defineExtensions`): registers, payments, postbox, sealer, archive, step activities',
  ),
  // FIT-Connect intake: the engine as an authority's destination (adapters/fit-connect, http/fit-connect/receiver.ts).
  FIT_CONNECT_SUBMISSION_URL: setting(
    url.optional(),
    'a FIT-Connect delivery service (Submission API v1 base, e.g. `https://submission-api-testing.fit-connect.fitko.dev`); the API process then receives for one destination (poll, and callback when `FIT_CONNECT_CALLBACK_SECRET` is set). Needs every `FIT_CONNECT_*` setting below; production: https only',
    'unset: FIT-Connect stand-in (demo), no FIT-Connect (API)',
  ),
  FIT_CONNECT_TOKEN_URL: setting(url.optional(), "the delivery service's OAuth token endpoint", FIT_CONNECT_NEEDED),
  FIT_CONNECT_CLIENT_ID: setting(
    text.optional(),
    "the destination's API client (client credentials): its id",
    FIT_CONNECT_NEEDED,
  ),
  FIT_CONNECT_CLIENT_SECRET: setting(
    text.optional(),
    "the destination's API client (client credentials): its secret",
    FIT_CONNECT_NEEDED,
  ),
  FIT_CONNECT_DESTINATION_ID: setting(text.optional(), 'the destination the engine receives for', FIT_CONNECT_NEEDED),
  FIT_CONNECT_AUTHORITY_ID: setting(
    text.optional(),
    'the authority (catalogue id) whose cases its submissions start',
    FIT_CONNECT_NEEDED,
  ),
  FIT_CONNECT_ENCRYPTION_KEY_FILE: setting(
    text.optional(),
    "the destination's private JWK (RSA 4096) to decrypt submissions (RSA-OAEP-256)",
    FIT_CONNECT_NEEDED,
  ),
  FIT_CONNECT_SIGNING_KEY_FILE: setting(
    text.optional(),
    "the destination's private JWK (RSA 4096) to sign accept/reject events (PS512)",
    FIT_CONNECT_NEEDED,
  ),
  FIT_CONNECT_CALLBACK_SECRET: setting(
    z.string().min(32).optional(),
    'the callback secret (≥ 32 characters); enables `POST /fit-connect/callback` (HMAC-SHA512, 5-minute window)',
    'unset: poll only',
  ),
  FIT_CONNECT_EID_TRUST_ANCHORS: setting(
    text.optional(),
    'PEM file with the certificates (CAs) of the eID services whose identification reports (`authenticationInformation`) the receiver trusts; production: required with `FIT_CONNECT_SUBMISSION_URL`',
    'unset: no identification report verifies (only services of trust level `low` take FIT-Connect submissions without one)',
  ),
  FIT_CONNECT_KEY_TRUST_ANCHORS: setting(
    text.optional(),
    "PEM file with the CA certificates the destination's keys chain to (`x5c` of both JWKs, checked at start); production: required with `FIT_CONNECT_SUBMISSION_URL`",
    'unset: the keys are used without a certificate check',
  ),
  FIT_CONNECT_ACCEPT_ID_TOKENS: setting(
    z.enum(['on', 'off']).default('off'),
    "`on`: an OpenID Connect ID token of `OIDC_ISSUER` (the engine's own audience) counts as `authenticationInformation` too, besides identification reports",
  ),
  FIT_CONNECT_POLL_MS: setting(
    whole.min(200).optional(),
    'how often the receiver lists submissions ready for pickup',
    '`30000` (demo stand-in: `2000`)',
  ),
  FIT_CONNECT_SANDBOX: setting(
    z.enum(['on', 'off']).default('on'),
    'demo only, without `FIT_CONNECT_SUBMISSION_URL`: start the FIT-Connect stand-in (one destination for Stadt Musterstadt) and a receiver for it; `off` starts neither',
  ),
  FIT_CONNECT_SANDBOX_PORT: setting(port.default(8098), 'port of the FIT-Connect stand-in'),
  // Read where a Bescheid's fonts are loaded (adapters/documents/fonts.ts); declared here to be validated and listed.
  PDF_FONT_DIR: setting(
    text.optional(),
    'folder with `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf`, embedded in every Bescheid',
    'the `ttf/` folder of the npm package `dejavu-fonts-ttf` (a dependency)',
  ),
});

type Variables = z.output<typeof variables>;

/** Every environment variable the engine reads, for checks of deployment manifests. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(variables.shape);

/** An environment variable the configuration reads. */
export type ConfigVariable = keyof typeof variables.shape;

/** One row of the configuration reference (docs/configuration.md): the variable, its default, what it means. */
export interface ConfigReferenceRow {
  variable: ConfigVariable;
  default: string;
  meaning: string;
}

/** The configuration reference, in declaration order, from the schema alone. */
export function configReference(): ConfigReferenceRow[] {
  return (Object.entries(variables.shape) as Array<[ConfigVariable, z.ZodType]>).map(([variable, type]) => {
    const meta = z.globalRegistry.get(type) ?? {};
    const shown = meta['shownDefault'];
    const value = type.safeParse(undefined).data;
    return {
      variable,
      default:
        typeof shown === 'string'
          ? shown
          : value === undefined
            ? 'unset'
            : value === ''
              ? 'empty'
              : `\`${String(value)}\``,
      meaning: meta.description ?? '',
    };
  });
}

const FIT_CONNECT_REQUIRED = [
  'FIT_CONNECT_SUBMISSION_URL',
  'FIT_CONNECT_TOKEN_URL',
  'FIT_CONNECT_CLIENT_ID',
  'FIT_CONNECT_CLIENT_SECRET',
  'FIT_CONNECT_DESTINATION_ID',
  'FIT_CONNECT_AUTHORITY_ID',
  'FIT_CONNECT_ENCRYPTION_KEY_FILE',
  'FIT_CONNECT_SIGNING_KEY_FILE',
] as const;

/**
 * The parsed variables as the engine uses them. Settings that depend on each other are checked here, every problem
 * at once.
 */
const configSchema = variables.transform((e, ctx) => {
  const problems: string[] = [];
  if (Boolean(e.TEMPORAL_TLS_CERT_FILE) !== Boolean(e.TEMPORAL_TLS_KEY_FILE))
    problems.push('TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE: set both for mutual TLS, or neither');
  if (e.SEAL_DIR && !e.SEAL_TRUST_ANCHORS)
    problems.push('SEAL_TRUST_ANCHORS: required with SEAL_DIR (PEM file of the CA certificates that verify the seals)');
  if (e.SEAL_P12_FILE && !e.SEAL_TRUST_ANCHORS)
    problems.push(
      'SEAL_TRUST_ANCHORS: required with SEAL_P12_FILE (PEM file of the CA certificates that verify the seal)',
    );
  if (e.BLOB_STORE === 's3' && !e.S3_BUCKET) problems.push('S3_BUCKET: required with BLOB_STORE=s3');
  const fitConnect = fitConnectOf(e, problems);
  const payloadKeys = payloadKeysFrom(e.PAYLOAD_KEYS, e.PAYLOAD_KEYS_FILE, problems);
  const actorVerifyKeys = e.ACTOR_VERIFY_KEYS?.split(',')
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  if (actorVerifyKeys?.some((k) => !/^[0-9a-f]{64}$/.test(k)))
    problems.push('ACTOR_VERIFY_KEYS: each key must be 64 hex digits (an Ed25519 public key)');
  for (const message of problems) ctx.addIssue({ code: 'custom', message, input: e });
  if (problems.length) return z.NEVER;
  return {
    /** Use this PostgreSQL; unset means start the embedded one. */
    databaseUrl: e.DATABASE_URL,
    /** Use this Temporal server; unset means start the dev server from the pinned CLI. */
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    temporalCli: e.TEMPORAL_CLI,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    httpHost: e.HTTP_HOST,
    httpPort: e.HTTP_PORT,
    /** Trust identity tokens from this OpenID Connect issuer; unset means start the local sandbox identity provider. */
    oidcIssuer: e.OIDC_ISSUER,
    oidcAudience: e.OIDC_AUDIENCE,
    /** Port of the local sandbox identity provider. */
    idpPort: e.IDP_PORT,
    dataDir: resolve(e.DATA_DIR),
    /** Base of the public verification address printed in every seal's QR code. */
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HTTP_HOST}:${e.HTTP_PORT}`).replace(/\/+$/, ''),
    /** Production seal: the authority's PKCS#12 file and the CA certificates (PEM) verifiers trust; unset means the demo CA. */
    seal: e.SEAL_P12_FILE
      ? { p12File: e.SEAL_P12_FILE, passphrase: e.SEAL_P12_PASSPHRASE, trustAnchorsFile: e.SEAL_TRUST_ANCHORS! }
      : undefined,
    /** Deliver to this postbox; unset means start the postbox sandbox on `postboxSandboxPort`. */
    postboxUrl: e.POSTBOX_URL?.replace(/\/+$/, ''),
    postboxSandboxPort: e.POSTBOX_SANDBOX_PORT,
    /** RFC 3161 timestamp authority for PAdES B-T seals; unset starts the TSA stand-in, `off` seals B-B only. */
    tsaUrl: e.TSA_URL,
    tsaSandboxPort: e.TSA_SANDBOX_PORT,
    /** Where forwarded case data goes; unset starts the recipients' stand-in on `forwardingSandboxPort`. */
    forwardingUrl: e.FORWARDING_URL?.replace(/\/+$/, ''),
    forwardingSandboxPort: e.FORWARDING_SANDBOX_PORT,
    /** Where e-mail replies go (FIT-Connect reply channel `eMail`); unset means such replies go to the postbox. */
    mailGatewayUrl: e.MAIL_GATEWAY_URL?.replace(/\/+$/, ''),
    /** The registers' address; unset means start the register sandbox and use it. */
    registerBaseUrl: e.REGISTER_BASE_URL,
    /** How long one register call may take before it counts as failed (and is retried). */
    registerTimeoutMs: e.REGISTER_TIMEOUT_MS,
    registerSandbox: {
      port: e.REGISTER_SANDBOX_PORT,
      latencyMs: e.REGISTER_SANDBOX_LATENCY_MS,
      errorRate: e.REGISTER_SANDBOX_ERROR_RATE,
      timeoutRate: e.REGISTER_SANDBOX_TIMEOUT_RATE,
    },
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    /** Requests per client address and window on each public route (intake, verification, search, questions). */
    rateLimit: {
      publicMax: e.RATE_LIMIT_PUBLIC_MAX,
      publicWindowMs: e.RATE_LIMIT_WINDOW_MS,
      trustProxy: e.TRUST_PROXY?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    /** Use this payment provider; unset means start the payment sandbox. */
    paymentProviderUrl: e.PAYMENT_PROVIDER_URL,
    paymentSandboxPort: e.PAYMENT_SANDBOX_PORT,
    paymentSandboxOutcome: e.PAYMENT_SANDBOX_OUTCOME,
    paymentSandboxDelayMs: e.PAYMENT_SANDBOX_DELAY_MS,
    paymentWebhookSecret: e.PAYMENT_WEBHOOK_SECRET,
    /** Verify bearer tokens against this JWKS; unset means a local signing key in DATA_DIR (demo). */
    authJwksUrl: e.AUTH_JWKS_URL,
    authIssuer: e.AUTH_ISSUER,
    authAudience: e.AUTH_AUDIENCE,
    logLevel: e.LOG_LEVEL,
    /** JSON log lines go to this file; unset means standard output (the demo uses DATA_DIR/logs/engine.log). */
    logFile: e.LOG_FILE,
    /** Staff login for the workbench; without a session secret one is made at start-up (sessions end with the process). */
    workbench: {
      oidcIssuer: e.WORKBENCH_OIDC_ISSUER ?? e.OIDC_ISSUER,
      clientId: e.WORKBENCH_CLIENT_ID,
      sessionSecret: e.WORKBENCH_SESSION_SECRET,
      sessionIdleMs: e.WORKBENCH_SESSION_IDLE_MINUTES * 60_000,
      /** Derives the blind search index's key per authority; unset: the demo's public development secret. */
      searchIndexSecret: e.SEARCH_INDEX_SECRET,
      /** Staff and citizens share one identity provider, deliberately (production refuses it otherwise). */
      sharedIdentityProvider: e.WORKBENCH_SHARED_IDENTITY_PROVIDER === 'true',
    },
    /** The optional dialogue assistant; absent means off, and every path runs deterministically. */
    assistant: e.ASSISTANT_URL
      ? {
          /** Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 */
          url: e.ASSISTANT_URL,
          model: e.ASSISTANT_MODEL,
          apiKey: e.ASSISTANT_API_KEY,
          timeoutMs: e.ASSISTANT_TIMEOUT_MS,
        }
      : undefined,
    /** Payload encryption keys, oldest first, newest last (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE); unset means a development ring in DATA_DIR. */
    payloadKeys,
    /** The codec server for the Temporal Web UI: its port and the origins (the UI's) allowed to call it. */
    codecServer: {
      port: e.CODEC_SERVER_PORT,
      sessionTtlMs: e.CODEC_SESSION_TTL * 1000,
      corsOrigins: (
        e.CODEC_CORS_ORIGINS ?? `http://localhost:${e.TEMPORAL_UI_PORT},http://127.0.0.1:${e.TEMPORAL_UI_PORT}`
      )
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    /** Who acts on a task is signed by the API (`signingKey`, hex seed) and checked by the workflows (`verifyKeys`, hex). */
    actorAssertion: {
      signingKey: (e.ACTOR_SIGNING_KEY ?? DEV_ACTOR_SIGNING_KEY).toLowerCase(),
      signingKeyConfigured: e.ACTOR_SIGNING_KEY !== undefined,
      verifyKeys: actorVerifyKeys?.length
        ? actorVerifyKeys
        : [actorPublicKey(e.ACTOR_SIGNING_KEY ?? DEV_ACTOR_SIGNING_KEY)],
    },
    /** Where documents, sealed Bescheide, uploads and archive packages live; see adapters/blob-store/. */
    blobStore: blobStoreOf(e),
    /** Serve Prometheus metrics on this port (the demo: 9464 unless `METRICS_PORT=off`); unset means off. */
    metricsPort: e.METRICS_PORT === 'off' ? undefined : e.METRICS_PORT,
    /** Export OpenTelemetry traces to this OTLP/HTTP endpoint; unset means tracing is off. */
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    /** `production` refuses to start on any insecure or missing setting (app/production-profile.ts); `demo` runs embedded stand-ins. */
    profile: e.ENGINE_PROFILE,
    /** The task queue API and workers share (one per deployment). */
    taskQueue: e.TASK_QUEUE,
    /** A legal day's length for the lifecycle's timers in development and tests; unset means a real day. */
    legalDayMs: e.LEGAL_DAY_MS,
    /** The worker's workflows from this prebuilt bundle instead of bundling `workflows/` at start-up. */
    workflowBundle: e.WORKFLOW_BUNDLE,
    /** One `<sealIdentity>.p12` per authority in `dir` (SEAL_DIR, passphrase SEAL_P12_PASSPHRASE, anchors SEAL_TRUST_ANCHORS). */
    sealDir: e.SEAL_DIR
      ? { dir: e.SEAL_DIR, passphrase: e.SEAL_P12_PASSPHRASE, trustAnchorsFile: e.SEAL_TRUST_ANCHORS! }
      : undefined,
    /** API token keys from a local JWKS file (the demo's, for extra processes); production uses AUTH_JWKS_URL. */
    authJwksFile: e.AUTH_JWKS_FILE,
    /** TLS to the Temporal frontend; certificate pair given means mutual TLS. */
    temporalTls: temporalTls(e),
    /** Temporal Cloud API key, sent as a bearer token. */
    temporalApiKey: e.TEMPORAL_API_KEY,
    worker: {
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      /** Sticky cache: how many workflow runs the worker keeps in memory. */
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      /** Frames per stack trace in the workflow sandbox. */
      stackTraceLimit: e.WORKER_STACK_TRACE_LIMIT,
    },
    /** The standalone worker's health server (`/livez`, `/readyz`). */
    workerHealth: { host: e.WORKER_HEALTH_HOST, port: e.WORKER_HEALTH_PORT },
    /** How long a process waits for in-flight work after SIGTERM. */
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    /** Folders of the teams' services (each a service folder, or a folder of them), besides the samples. */
    serviceDirs: pathList(e.SERVICE_DIRS),
    /** Extension modules (adapters, step activities), each default-exporting `defineExtensions(…)`. */
    extensions: pathList(e.EXTENSIONS),
    /** A configured FIT-Connect delivery service and destination; unset: the API takes no FIT-Connect submissions. */
    fitConnect,
    /** The demo only, without `fitConnect`: start the FIT-Connect stand-in and a receiver for it (`off` starts neither). */
    fitConnectSandbox: {
      on: e.FIT_CONNECT_SANDBOX === 'on',
      port: e.FIT_CONNECT_SANDBOX_PORT,
      pollMs: e.FIT_CONNECT_POLL_MS ?? 2_000,
    },
  };
});

/**
 * Properties that may be undefined become optional (`x?: T`), also in nested objects, so parts of a Config can be
 * written without them; the `x?: undefined` that TypeScript adds to the other members of a union of literals goes.
 */
type Settled<T> = T extends Buffer | readonly unknown[] | string | number | boolean | undefined
  ? T
  : Flat<
      { [K in keyof T as undefined extends T[K] ? never : K]: Settled<T[K]> } & {
        [K in keyof T as undefined extends T[K]
          ? [Exclude<T[K], undefined>] extends [never]
            ? never
            : K
          : never]?: Settled<Exclude<T[K], undefined>>;
      }
    >;
type Flat<T> = { [K in keyof T]: T[K] };

/** The engine's configuration, as `loadConfig` makes it from the variables above. */
export type Config = Settled<z.output<typeof configSchema>>;
/** The optional dialogue assistant; absent means off, and every path runs deterministically. */
export type AssistantConfig = NonNullable<Config['assistant']>;
/** FIT-Connect's receiver: a configured delivery service (FIT_CONNECT_*), with the destination's private keys. */
export type FitConnectConfig = NonNullable<Config['fitConnect']>;
/** TLS to the Temporal frontend; certificate pair given means mutual TLS. */
export type TemporalTlsConfig = NonNullable<Config['temporalTls']>;
export type WorkerTuning = Config['worker'];
export type BlobStoreConfig = Config['blobStore'];

export class ConfigError extends Error {}

/**
 * Reads the environment once; a bad value stops start-up with the variable's name (every problem at once).
 * `developmentDefaults` (environment form, validated alike) apply where the environment sets nothing, e.g. the demo's
 * metrics port; nothing changes a loaded configuration afterwards.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  developmentDefaults: Partial<Record<ConfigVariable, string>> = {},
): Config {
  const given: Record<string, string> = {};
  for (const source of [developmentDefaults, env])
    for (const [name, value] of Object.entries(source)) if (value !== undefined) given[name] = value;
  const blanksRemoved = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== ''));
  const parsed = configSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function fitConnectOf(e: Variables, problems: string[]) {
  const given = FIT_CONNECT_REQUIRED.filter((k) => e[k] !== undefined);
  if (given.length === 0) return undefined;
  const missing = FIT_CONNECT_REQUIRED.filter((k) => e[k] === undefined);
  if (missing.length) {
    problems.push(
      `${missing.join(', ')}: required with ${given[0]} (FIT-Connect needs all of ${FIT_CONNECT_REQUIRED.join(', ')})`,
    );
    return undefined;
  }
  return {
    submissionUrl: e.FIT_CONNECT_SUBMISSION_URL!.replace(/\/+$/, ''),
    tokenUrl: e.FIT_CONNECT_TOKEN_URL!,
    clientId: e.FIT_CONNECT_CLIENT_ID!,
    clientSecret: e.FIT_CONNECT_CLIENT_SECRET!,
    destinationId: e.FIT_CONNECT_DESTINATION_ID!,
    authorityId: e.FIT_CONNECT_AUTHORITY_ID!,
    /** Files with the destination's private JWKs (RSA-OAEP-256 decryption, PS512 event signing). */
    encryptionKeyFile: e.FIT_CONNECT_ENCRYPTION_KEY_FILE!,
    signingKeyFile: e.FIT_CONNECT_SIGNING_KEY_FILE!,
    /** Set: the engine takes the delivery service's callback at POST /fit-connect/callback. */
    callbackSecret: e.FIT_CONNECT_CALLBACK_SECRET,
    pollMs: e.FIT_CONNECT_POLL_MS ?? 30_000,
    /** PEM files: CAs of trusted eID services (identification reports), and the CAs the destination's keys chain to. */
    eidTrustAnchorsFile: e.FIT_CONNECT_EID_TRUST_ANCHORS,
    keyTrustAnchorsFile: e.FIT_CONNECT_KEY_TRUST_ANCHORS,
    /** Whether the engine's own OIDC ID tokens count as `authenticationInformation`. */
    acceptIdTokens: e.FIT_CONNECT_ACCEPT_ID_TOKENS === 'on',
  };
}

function payloadKeysFrom(
  list: string | undefined,
  file: string | undefined,
  problems: string[],
): PayloadKey[] | undefined {
  if (list && file) {
    problems.push('PAYLOAD_KEYS: set either PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, not both');
    return undefined;
  }
  const [name, read] = list
    ? (['PAYLOAD_KEYS', () => parseKeyList(list)] as const)
    : file
      ? (['PAYLOAD_KEYS_FILE', () => parseKeyFile(readFileSync(file, 'utf8'))] as const)
      : [];
  if (!read) return undefined;
  try {
    const keys = read();
    if (keys.length === 0) throw new KeyRingError('no keys');
    for (const k of keys)
      if (k.key.length !== 32) throw new KeyRingError(`key "${k.id}" must be 32 bytes (AES-256), got ${k.key.length}`);
    return keys;
  } catch (err) {
    const why =
      err instanceof KeyRingError
        ? err.message
        : `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    problems.push(`${name}: ${why}`);
    return undefined;
  }
}

// TLS is on when asked for, or when any certificate setting is given (a Temporal Cloud API key implies TLS too).
function temporalTls(e: Variables) {
  const files = {
    caFile: e.TEMPORAL_TLS_CA_FILE,
    certFile: e.TEMPORAL_TLS_CERT_FILE,
    keyFile: e.TEMPORAL_TLS_KEY_FILE,
    serverName: e.TEMPORAL_TLS_SERVER_NAME,
  };
  const on =
    e.TEMPORAL_TLS === 'true' ||
    (e.TEMPORAL_TLS !== 'false' && (Object.values(files).some(Boolean) || Boolean(e.TEMPORAL_API_KEY)));
  return on ? files : undefined;
}

/** Where documents and archive packages live. */
function blobStoreOf(e: Variables) {
  // Production shares bytes between processes by default; only the demo keeps them in a local folder.
  switch (e.BLOB_STORE ?? (e.ENGINE_PROFILE === 'production' ? 'postgres' : 'folder')) {
    case 'postgres':
      return { kind: 'postgres' as const };
    case 's3':
      return {
        kind: 's3' as const,
        bucket: e.S3_BUCKET!,
        prefix: e.S3_PREFIX,
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
      };
    default:
      return { kind: 'folder' as const, root: resolve(e.DATA_DIR) };
  }
}

// Comma-separated, like PATH but portable; relative entries are taken from the working directory.
const pathList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => resolve(s));

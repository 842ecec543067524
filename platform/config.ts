import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { KeyRingError, parseKeyFile, parseKeyList, type PayloadKey } from './codec/key-ring.js';

// The repository root, also when running from dist/.
const projectRoot = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url));

/** The payment sandbox's public development secret; refused in production. */
export const DEV_WEBHOOK_SECRET = 'whsec_b3pnLXBheW1lbnQtc2FuZGJveC1kZXYtc2VjcmV0';

const port = z.coerce.number().int().min(1).max(65535);
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: z.string().default(resolve(projectRoot, '.tools/venv/bin/temporal')),
  EMBEDDED_PG_PORT: port.default(54329),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(8080),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_AUDIENCE: z.string().min(1).default('ozg-case-engine'),
  IDP_PORT: port.default(8094),
  DATA_DIR: z.string().default(resolve(projectRoot, '.data')),
  PUBLIC_BASE_URL: z.string().url().optional(),
  SEAL_P12_FILE: z.string().min(1).optional(),
  SEAL_P12_PASSPHRASE: z.string().default(''),
  SEAL_TRUST_ANCHORS: z.string().min(1).optional(),
  POSTBOX_URL: z.string().url().optional(),
  POSTBOX_SANDBOX_PORT: port.default(8093),
  TSA_URL: z.union([z.literal('off'), z.string().url()]).optional(),
  TSA_SANDBOX_PORT: port.default(8095),
  FORWARDING_URL: z.string().url().optional(),
  FORWARDING_SANDBOX_PORT: port.default(8096),
  REGISTER_BASE_URL: z.string().url().optional(),
  REGISTER_TIMEOUT_MS: z.coerce.number().int().min(1).default(5_000),
  REGISTER_SANDBOX_PORT: port.default(8091),
  REGISTER_SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).default(25),
  REGISTER_SANDBOX_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.05),
  REGISTER_SANDBOX_TIMEOUT_RATE: z.coerce.number().min(0).max(1).default(0),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  RATE_LIMIT_PUBLIC_MAX: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).default(60_000),
  TRUST_PROXY: z.string().optional(),
  PAYMENT_PROVIDER_URL: z.string().url().optional(),
  PAYMENT_SANDBOX_PORT: port.default(8092),
  PAYMENT_SANDBOX_OUTCOME: z.enum(['paid', 'failed', 'abandoned', 'manual']).default('paid'),
  PAYMENT_SANDBOX_DELAY_MS: z.coerce.number().int().min(0).default(300),
  // A development secret for the sandbox only; set your provider's secret in production.
  PAYMENT_WEBHOOK_SECRET: z
    .string()
    .regex(/^(whsec_)?[A-Za-z0-9+/]+=*$/, 'must be base64, optionally prefixed whsec_')
    .default(DEV_WEBHOOK_SECRET),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_ISSUER: z.string().min(1).default('ozg-case-engine-local'),
  AUTH_AUDIENCE: z.string().min(1).default('ozg-case-engine'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  LOG_FILE: z.string().min(1).optional(),
  ASSISTANT_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')
    .optional(),
  ASSISTANT_MODEL: z.string().min(1).default('local-model'),
  ASSISTANT_API_KEY: z.string().min(1).optional(),
  ASSISTANT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8_000),
  PAYLOAD_KEYS: z.string().min(1).optional(),
  PAYLOAD_KEYS_FILE: z.string().min(1).optional(),
  CODEC_SERVER_PORT: port.default(8097),
  CODEC_CORS_ORIGINS: z.string().optional(),
  // Workbench login: the authority's OpenID provider for staff (default: OIDC_ISSUER, else the local sandbox provider).
  WORKBENCH_OIDC_ISSUER: z.string().url().optional(),
  WORKBENCH_CLIENT_ID: z.string().min(1).max(100).default('ozg-workbench'),
  WORKBENCH_SESSION_SECRET: z.string().min(32).optional(),
  BLOB_STORE: z.enum(['folder', 'postgres', 's3']).optional(),
  S3_BUCKET: z.string().min(1).optional(),
  S3_PREFIX: z.string().default(''),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default('eu-central-1'),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  METRICS_PORT: z.union([z.literal('off'), port]).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  // Production profile, separate processes and the Temporal connection (app/).
  ENGINE_PROFILE: z.enum(['demo', 'production']).default('demo'),
  TASK_QUEUE: z.string().min(1).default('ozg-cases'),
  // A workflow bundle built ahead (`npm run build` writes dist/workflow-bundle.js): the worker starts without webpack.
  WORKFLOW_BUNDLE: z.string().min(1).optional(),
  SEAL_DIR: z.string().min(1).optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  // A waiting case in the worker's cache costs roughly 100-400 KB; one evicted is replayed from its history on its next event.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  WORKER_HEALTH_HOST: z.string().default('127.0.0.1'),
  WORKER_HEALTH_PORT: port.default(8081),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  SERVICE_DIRS: z.string().optional(),
  EXTENSIONS: z.string().optional(),
  // FIT-Connect intake: the engine as an authority's destination (adapters/fit-connect, http/fit-connect/receiver.ts).
  FIT_CONNECT_SUBMISSION_URL: z.string().url().optional(),
  FIT_CONNECT_TOKEN_URL: z.string().url().optional(),
  FIT_CONNECT_CLIENT_ID: z.string().min(1).optional(),
  FIT_CONNECT_CLIENT_SECRET: z.string().min(1).optional(),
  FIT_CONNECT_DESTINATION_ID: z.string().min(1).optional(),
  FIT_CONNECT_AUTHORITY_ID: z.string().min(1).optional(),
  FIT_CONNECT_ENCRYPTION_KEY_FILE: z.string().min(1).optional(),
  FIT_CONNECT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  FIT_CONNECT_CALLBACK_SECRET: z.string().min(32).optional(),
  FIT_CONNECT_POLL_MS: z.coerce.number().int().min(200).default(30_000),
  FIT_CONNECT_SANDBOX: z.enum(['on', 'off']).default('on'),
  FIT_CONNECT_SANDBOX_PORT: port.default(8098),
});

/** FIT-Connect's receiver: a configured delivery service (FIT_CONNECT_*), with the destination's private keys. */
export interface FitConnectConfig {
  submissionUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  destinationId: string;
  authorityId: string;
  /** Files with the destination's private JWKs (RSA-OAEP-256 decryption, PS512 event signing). */
  encryptionKeyFile: string;
  signingKeyFile: string;
  /** Set: the engine takes the delivery service's callback at POST /fit-connect/callback. */
  callbackSecret?: string;
  pollMs: number;
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

function fitConnectOf(e: z.infer<typeof schema>): FitConnectConfig | undefined {
  const given = FIT_CONNECT_REQUIRED.filter((k) => e[k] !== undefined);
  if (given.length === 0) return undefined;
  const missing = FIT_CONNECT_REQUIRED.filter((k) => e[k] === undefined);
  if (missing.length)
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.join(', ')}: required with ${given[0]} (FIT-Connect needs all of ${FIT_CONNECT_REQUIRED.join(', ')})`,
    );
  return {
    submissionUrl: e.FIT_CONNECT_SUBMISSION_URL!.replace(/\/+$/, ''),
    tokenUrl: e.FIT_CONNECT_TOKEN_URL!,
    clientId: e.FIT_CONNECT_CLIENT_ID!,
    clientSecret: e.FIT_CONNECT_CLIENT_SECRET!,
    destinationId: e.FIT_CONNECT_DESTINATION_ID!,
    authorityId: e.FIT_CONNECT_AUTHORITY_ID!,
    encryptionKeyFile: e.FIT_CONNECT_ENCRYPTION_KEY_FILE!,
    signingKeyFile: e.FIT_CONNECT_SIGNING_KEY_FILE!,
    callbackSecret: e.FIT_CONNECT_CALLBACK_SECRET,
    pollMs: e.FIT_CONNECT_POLL_MS,
  };
}

/** The optional dialogue assistant; absent means off, and every path runs deterministically. */
export interface AssistantConfig {
  /** Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface Config {
  /** Use this PostgreSQL; unset means start the embedded one. */
  databaseUrl?: string;
  /** Use this Temporal server; unset means start the dev server from the pinned CLI. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalPort: number;
  temporalUiPort: number;
  temporalCli: string;
  embeddedPostgresPort: number;
  httpHost: string;
  httpPort: number;
  /** Trust identity tokens from this OpenID Connect issuer; unset means start the local sandbox identity provider. */
  oidcIssuer?: string;
  oidcAudience: string;
  /** Port of the local sandbox identity provider. */
  idpPort: number;
  dataDir: string;
  /** Base of the public verification address printed in every seal's QR code. */
  publicBaseUrl: string;
  /** Production seal: the authority's PKCS#12 file and the CA certificates (PEM) verifiers trust; unset means the demo CA. */
  seal?: { p12File: string; passphrase: string; trustAnchorsFile: string };
  /** Deliver to this postbox; unset means start the postbox sandbox on `postboxSandboxPort`. */
  postboxUrl?: string;
  postboxSandboxPort: number;
  /** RFC 3161 timestamp authority for PAdES B-T seals; unset starts the TSA stand-in, `off` seals B-B only. */
  tsaUrl?: string | 'off';
  tsaSandboxPort: number;
  /** Where forwarded case data goes; unset starts the recipients' stand-in on `forwardingSandboxPort`. */
  forwardingUrl?: string;
  forwardingSandboxPort: number;
  /** The registers' address; unset means start the register sandbox and use it. */
  registerBaseUrl?: string;
  /** How long one register call may take before it counts as failed (and is retried). */
  registerTimeoutMs: number;
  registerSandbox: { port: number; latencyMs: number; errorRate: number; timeoutRate: number };
  uploadMaxBytes: number;
  /** Requests per client address and window on each public route (intake, verification, search, questions). */
  rateLimit: { publicMax: number; publicWindowMs: number; trustProxy?: string[] };
  /** Use this payment provider; unset means start the payment sandbox. */
  paymentProviderUrl?: string;
  paymentSandboxPort: number;
  paymentSandboxOutcome: 'paid' | 'failed' | 'abandoned' | 'manual';
  paymentSandboxDelayMs: number;
  paymentWebhookSecret: string;
  /** Verify bearer tokens against this JWKS; unset means a local signing key in DATA_DIR (demo). */
  authJwksUrl?: string;
  authIssuer: string;
  authAudience: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** JSON log lines go to this file; unset means standard output (the demo uses DATA_DIR/logs/engine.log). */
  logFile?: string;
  assistant?: AssistantConfig;
  /** Payload encryption keys, oldest first, newest last (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE); unset means a development ring in DATA_DIR. */
  payloadKeys?: PayloadKey[];
  /** The codec server for the Temporal Web UI: its port and the origins (the UI's) allowed to call it. */
  codecServer: { port: number; corsOrigins: string[] };
  /** Staff login for the workbench; without a session secret one is made at start-up (sessions end with the process). */
  workbench: { oidcIssuer?: string; clientId: string; sessionSecret?: string };
  /** Bound on workflows the worker keeps in memory between their tasks (sticky cache). */
  /** Where documents, sealed Bescheide, uploads and archive packages live; see adapters/blob-store/. */
  blobStore: BlobStoreConfig;
  /** Serve Prometheus metrics on this port (the demo: 9464 unless `METRICS_PORT=off`); unset means off. */
  metricsPort?: number;
  /** Export OpenTelemetry traces to this OTLP/HTTP endpoint; unset means tracing is off. */
  otlpEndpoint?: string;
  /** `production` refuses to start on any insecure or missing setting (app/production-profile.ts); `demo` runs embedded stand-ins. */
  profile: 'demo' | 'production';
  /** The task queue API and workers share (one per deployment). */
  taskQueue: string;
  /** The worker's workflows from this prebuilt bundle instead of bundling `workflows/` at start-up. */
  workflowBundle?: string;
  /** One `<sealIdentity>.p12` per authority in `dir` (SEAL_DIR, passphrase SEAL_P12_PASSPHRASE, anchors SEAL_TRUST_ANCHORS). */
  sealDir?: { dir: string; passphrase: string; trustAnchorsFile: string };
  /** API token keys from a local JWKS file (the demo's, for extra processes); production uses AUTH_JWKS_URL. */
  authJwksFile?: string;
  temporalTls?: TemporalTlsConfig;
  /** Temporal Cloud API key, sent as a bearer token. */
  temporalApiKey?: string;
  worker: WorkerTuning;
  /** The standalone worker's health server (`/livez`, `/readyz`). */
  workerHealth: { host: string; port: number };
  /** How long a process waits for in-flight work after SIGTERM. */
  shutdownGraceMs: number;
  /** Folders of the teams' services (each a service folder, or a folder of them), besides the samples. */
  serviceDirs: string[];
  /** Extension modules (adapters, step activities), each default-exporting `defineExtensions(…)`. */
  extensions: string[];
  /** A configured FIT-Connect delivery service and destination; unset: the API takes no FIT-Connect submissions. */
  fitConnect?: FitConnectConfig;
  /** The demo only, without `fitConnect`: start the FIT-Connect stand-in and a receiver for it (`off` starts neither). */
  fitConnectSandbox: { on: boolean; port: number; pollMs: number };
}

/** TLS to the Temporal frontend; certificate pair given means mutual TLS. */
export interface TemporalTlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
}

export interface WorkerTuning {
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /** Sticky cache: how many workflow runs the worker keeps in memory. */
  maxCachedWorkflows: number;
}

export type BlobStoreConfig =
  | { kind: 'folder'; root: string }
  | { kind: 'postgres' }
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean };

export class ConfigError extends Error {}

/** Reads the environment once; a bad value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.TEMPORAL_TLS_CERT_FILE) !== Boolean(e.TEMPORAL_TLS_KEY_FILE)) {
    throw new ConfigError(
      'Invalid configuration:\n  TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE: set both for mutual TLS, or neither',
    );
  }
  if (e.SEAL_DIR && !e.SEAL_TRUST_ANCHORS) {
    throw new ConfigError(
      'Invalid configuration:\n  SEAL_TRUST_ANCHORS: required with SEAL_DIR (PEM file of the CA certificates that verify the seals)',
    );
  }
  if (e.SEAL_P12_FILE && !e.SEAL_TRUST_ANCHORS) {
    throw new ConfigError(
      'Invalid configuration:\n  SEAL_TRUST_ANCHORS: required with SEAL_P12_FILE (PEM file of the CA certificates that verify the seal)',
    );
  }
  if (e.BLOB_STORE === 's3' && !e.S3_BUCKET)
    throw new ConfigError('Invalid configuration:\n  S3_BUCKET: required with BLOB_STORE=s3');
  return {
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    temporalCli: e.TEMPORAL_CLI,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    httpHost: e.HTTP_HOST,
    httpPort: e.HTTP_PORT,
    oidcIssuer: e.OIDC_ISSUER,
    oidcAudience: e.OIDC_AUDIENCE,
    idpPort: e.IDP_PORT,
    dataDir: resolve(e.DATA_DIR),
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HTTP_HOST}:${e.HTTP_PORT}`).replace(/\/+$/, ''),
    seal: e.SEAL_P12_FILE
      ? { p12File: e.SEAL_P12_FILE, passphrase: e.SEAL_P12_PASSPHRASE, trustAnchorsFile: e.SEAL_TRUST_ANCHORS! }
      : undefined,
    postboxUrl: e.POSTBOX_URL?.replace(/\/+$/, ''),
    postboxSandboxPort: e.POSTBOX_SANDBOX_PORT,
    tsaUrl: e.TSA_URL,
    tsaSandboxPort: e.TSA_SANDBOX_PORT,
    forwardingUrl: e.FORWARDING_URL?.replace(/\/+$/, ''),
    forwardingSandboxPort: e.FORWARDING_SANDBOX_PORT,
    registerBaseUrl: e.REGISTER_BASE_URL,
    registerTimeoutMs: e.REGISTER_TIMEOUT_MS,
    registerSandbox: {
      port: e.REGISTER_SANDBOX_PORT,
      latencyMs: e.REGISTER_SANDBOX_LATENCY_MS,
      errorRate: e.REGISTER_SANDBOX_ERROR_RATE,
      timeoutRate: e.REGISTER_SANDBOX_TIMEOUT_RATE,
    },
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    rateLimit: {
      publicMax: e.RATE_LIMIT_PUBLIC_MAX,
      publicWindowMs: e.RATE_LIMIT_WINDOW_MS,
      trustProxy: e.TRUST_PROXY?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    paymentProviderUrl: e.PAYMENT_PROVIDER_URL,
    paymentSandboxPort: e.PAYMENT_SANDBOX_PORT,
    paymentSandboxOutcome: e.PAYMENT_SANDBOX_OUTCOME,
    paymentSandboxDelayMs: e.PAYMENT_SANDBOX_DELAY_MS,
    paymentWebhookSecret: e.PAYMENT_WEBHOOK_SECRET,
    authJwksUrl: e.AUTH_JWKS_URL,
    authIssuer: e.AUTH_ISSUER,
    authAudience: e.AUTH_AUDIENCE,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    workbench: {
      oidcIssuer: e.WORKBENCH_OIDC_ISSUER ?? e.OIDC_ISSUER,
      clientId: e.WORKBENCH_CLIENT_ID,
      sessionSecret: e.WORKBENCH_SESSION_SECRET,
    },
    assistant: e.ASSISTANT_URL
      ? {
          url: e.ASSISTANT_URL,
          model: e.ASSISTANT_MODEL,
          apiKey: e.ASSISTANT_API_KEY,
          timeoutMs: e.ASSISTANT_TIMEOUT_MS,
        }
      : undefined,
    payloadKeys: payloadKeysFrom(e.PAYLOAD_KEYS, e.PAYLOAD_KEYS_FILE),
    codecServer: {
      port: e.CODEC_SERVER_PORT,
      corsOrigins: (
        e.CODEC_CORS_ORIGINS ?? `http://localhost:${e.TEMPORAL_UI_PORT},http://127.0.0.1:${e.TEMPORAL_UI_PORT}`
      )
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    blobStore: blobStoreOf(e),
    metricsPort: e.METRICS_PORT === 'off' ? undefined : e.METRICS_PORT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    profile: e.ENGINE_PROFILE,
    taskQueue: e.TASK_QUEUE,
    workflowBundle: e.WORKFLOW_BUNDLE,
    sealDir: e.SEAL_DIR
      ? { dir: e.SEAL_DIR, passphrase: e.SEAL_P12_PASSPHRASE, trustAnchorsFile: e.SEAL_TRUST_ANCHORS! }
      : undefined,
    authJwksFile: e.AUTH_JWKS_FILE,
    temporalTls: temporalTls(e),
    temporalApiKey: e.TEMPORAL_API_KEY,
    worker: {
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    },
    workerHealth: { host: e.WORKER_HEALTH_HOST, port: e.WORKER_HEALTH_PORT },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    serviceDirs: pathList(e.SERVICE_DIRS),
    extensions: pathList(e.EXTENSIONS),
    fitConnect: fitConnectOf(e),
    fitConnectSandbox: {
      on: e.FIT_CONNECT_SANDBOX === 'on',
      port: e.FIT_CONNECT_SANDBOX_PORT,
      pollMs: env['FIT_CONNECT_POLL_MS'] ? e.FIT_CONNECT_POLL_MS : 2_000,
    },
  };
}

function payloadKeysFrom(list: string | undefined, file: string | undefined): PayloadKey[] | undefined {
  if (list && file)
    throw new ConfigError(
      'Invalid configuration:\n  PAYLOAD_KEYS: set either PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, not both',
    );
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
    throw new ConfigError(`Invalid configuration:\n  ${name}: ${why}`);
  }
}

/** The demo keeps bytes in DATA_DIR; any other setting shares them between processes and machines. */
// TLS is on when asked for, or when any certificate setting is given (a Temporal Cloud API key implies TLS too).
function temporalTls(e: z.infer<typeof schema>): TemporalTlsConfig | undefined {
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

/** Every environment variable the engine reads, for checks of deployment manifests. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** Where documents and archive packages live. */
function blobStoreOf(e: z.infer<typeof schema>): BlobStoreConfig {
  // Production shares bytes between processes by default; only the demo keeps them in a local folder.
  switch (e.BLOB_STORE ?? (e.ENGINE_PROFILE === 'production' ? 'postgres' : 'folder')) {
    case 'postgres':
      return { kind: 'postgres' };
    case 's3':
      return {
        kind: 's3',
        bucket: e.S3_BUCKET!,
        prefix: e.S3_PREFIX,
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
      };
    default:
      return { kind: 'folder', root: resolve(e.DATA_DIR) };
  }
}

// Comma-separated, like PATH but portable; relative entries are taken from the working directory.
const pathList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => resolve(s));

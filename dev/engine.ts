import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { RegistersByName, type Registers } from '../adapters/registers.js';
import { SeededRegisters } from './seeded-registers.js';
import { otherServicesSeed } from './demo/sample-other-services.js';
import { startPostboxSandbox } from './stand-ins/postbox/server.js';
import { CaseClient } from '../client/case-client.js';
import { TaskClient } from '../client/task-client.js';
import { localIssuer, type LocalIssuer } from './identity/local-issuer.js';
import { codecCallerVerifier, jwtVerifier, remoteKeys } from '../platform/auth/tokens.js';
import { ConfigError, type Config } from '../platform/config.js';
import { type Database } from '../db/client.js';
import { startLocalIdentityProvider, type LocalIdentityProvider } from './identity/local-identity-provider.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { ensureSearchAttributes } from '../platform/temporal.js';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { startPaymentSandbox } from './stand-ins/payments/server.js';
import { httpRegisters } from '../app/adapters.js';
import { connectClient, temporalConnectionOptions } from '../app/temporal-connection.js';
import { startApi } from '../app/api.js';
import { migrate } from '../app/migrate.js';
import { startWorker } from '../app/worker-process.js';
import type { RegisterData } from './stand-ins/registers/data.js';
import { startRegisterSandbox } from './stand-ins/registers/server.js';
import { DEMO_SEAL_PASSPHRASE, sealKeyStore } from './demo-seal-keys.js';
import { sealIdentities } from '../app/production-profile.js';
import { describeBlobStore } from '../adapters/blob-store/index.js';
import { EngineMetrics, startMetricsServer } from '../platform/metrics.js';
import { startTsaSandbox } from './stand-ins/tsa/server.js';
import { startForwardingSandbox } from './stand-ins/forwarding/server.js';
import { HttpTimestampAuthority } from '../adapters/timestamp.js';
import { RETENTION_SCHEDULE_ID } from '../client/retention-schedule.js';
import { startDemoFitConnect, type DemoFitConnect } from './fit-connect.js';

export { activityDeps, type AdapterOptions } from '../app/adapters.js';

import { payloadKeyRing } from '../platform/codec/keys.js';
import { demoCodecEndpoint, startDemoCodecServer } from './codec-demo-keys.js';
import type { Logger } from '../platform/logger.js';
import { loadPlugins } from '../app/extensions.js';
import type { EngineExtensions } from '../adapters/extensions.js';

export interface Engine {
  temporal: { address: string; uiUrl?: string; cliVersion?: string; embedded: boolean };
  database: { url: string; embedded: boolean };
  /** The local sandbox identity provider, when no OIDC_ISSUER is configured. */
  localIdp?: LocalIdentityProvider;
  client: Client;
  cases: CaseClient;
  tasks: TaskClient;
  /** Signs tokens with the local key; absent when AUTH_JWKS_URL names an identity provider. */
  tokens?: LocalIssuer;
  db: Database;
  /** The task queue its worker polls and its clients start cases on (TASK_QUEUE). */
  taskQueue: string;
  worker: Worker;
  http: FastifyInstance;
  httpUrl: string;
  postboxUrl?: string;
  registersUrl: string;
  /** The settings with which `npm run api` / `npm run worker` join this stack as separate processes. */
  processEnv: Record<string, string>;
  metrics: EngineMetrics;
  /** Where Prometheus scrapes this process, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** The FIT-Connect stand-in, its sender client and the destination the engine receives for (unless FIT_CONNECT_SANDBOX=off or a real one is configured). */
  fitConnect?: DemoFitConnect;
  stop(): Promise<void>;
}

export type Progress = (message: string) => void;

/**
 * Starts everything the engine needs, on embedded defaults unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise: the
 * outside systems a setting leaves open are started here as stand-ins, and then the same composition as `npm run
 * migrate`, `npm run worker` and `npm run api` runs on the resulting configuration, in this one process.
 */
export async function startEngine(
  config: Config,
  o: {
    registerData: RegisterData;
    progress?: Progress;
    sdkMetricsUrl?: string;
    seed?: number;
    logger?: Logger;
    /** Adapters and step activities passed at composition; they win over the EXTENSIONS modules. */
    extensions?: EngineExtensions;
  },
): Promise<Engine> {
  if (config.profile === 'production')
    throw new ConfigError(
      'The embedded development stack does not run in the production profile: use `npm run api`, `npm run worker` and `npm run migrate`.',
    );
  const say = o.progress ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    // Teams' services and adapters first (once per process): a broken service folder stops start-up before anything runs.
    const plugins = await loadPlugins(config, o.extensions);
    if (plugins.services.length)
      say(`services from SERVICE_DIRS: ${plugins.services.map((s) => `"${s.service.name}"`).join(', ')}`);
    const systems = await startOutsideSystems(config, o, say, stops);
    const run = systems.config;
    await migrate(run);
    say('database migrated');

    const metrics = new EngineMetrics();
    metrics.sdkMetricsUrl = o.sdkMetricsUrl;
    say(`documents and archive packages in ${describeBlobStore(config.blobStore)}`);
    say('bundling workflows and starting the worker');
    const worker = await startWorker(run, {
      plugins,
      registers: engineRegisters(systems.registersUrl, config.registerTimeoutMs),
      runtimeInstalled: true,
      logger: o.logger,
      metrics,
    });
    stops.push(worker.stop);
    say(
      `retention schedule "${RETENTION_SCHEDULE_ID}" runs daily (erases personal data and documents after each service's retention period)`,
    );
    if (systems.localIdp) say(`local identity provider (sandbox) at ${systems.localIdp.issuer}`);
    let demoFitConnect: DemoFitConnect | undefined;
    const httpUrl = `http://${config.httpHost}:${config.httpPort}`;
    const api = await startApi(run, {
      plugins,
      logger: o.logger,
      metrics,
      localIssuer: systems.localIdp?.issuer,
      // FIT-Connect intake: a configured delivery service, else the stand-in with one destination (Stadt Musterstadt).
      fitConnect: config.fitConnectSandbox.on
        ? async (deps) => {
            demoFitConnect = await startDemoFitConnect(config, { ...deps, httpUrl });
            stops.push(demoFitConnect.sandbox.stop);
            return demoFitConnect.intake;
          }
        : undefined,
    });
    stops.push(api.stop);
    if (config.fitConnect)
      say(
        `FIT-Connect: receiving for destination ${config.fitConnect.destinationId} at ${config.fitConnect.submissionUrl}`,
      );
    else if (demoFitConnect)
      say(
        `FIT-Connect stand-in (Submission API v1 shapes) at ${demoFitConnect.sandbox.url}: destination ${demoFitConnect.destinationId} (${demoFitConnect.authorityId}), event log at ${demoFitConnect.sandbox.url}/event-log`,
      );
    say(`HTTP API listening on ${httpUrl}`);
    if (config.fitConnect || demoFitConnect)
      say(
        `FIT-Connect receiver polls every ${config.fitConnect?.pollMs ?? config.fitConnectSandbox.pollMs} ms${config.fitConnect?.callbackSecret || demoFitConnect?.intake.routes ? ' and takes callbacks at POST /fit-connect/callback' : ''}`,
      );
    if (systems.temporal.uiUrl) {
      const codecServer = await startDemoCodecServer(config, payloadKeyRing(config), systems.codecAuth, api.db);
      stops.push(codecServer.stop);
      say(
        `codec server at ${codecServer.endpoint}: the Web UI decodes for an operator (sign in at ${codecServer.endpoint}session)`,
      );
    }
    say(`workbench (Arbeitsplatz) for case workers at ${httpUrl}/workbench`);
    let metricsUrl: string | undefined;
    if (config.metricsPort !== undefined) {
      const server = await startMetricsServer(metrics, { host: config.httpHost, port: config.metricsPort });
      stops.push(server.stop);
      metricsUrl = server.url;
      say(`Prometheus metrics at ${metricsUrl}`);
    }
    say(
      config.assistant
        ? `dialogue assistant on: ${config.assistant.model} at ${redact(config.assistant.url)}`
        : 'dialogue assistant off (set ASSISTANT_URL to enable)',
    );

    return {
      temporal: {
        address: systems.temporal.address,
        uiUrl: systems.temporal.uiUrl,
        cliVersion: systems.temporal.version,
        embedded: !config.temporalAddress,
      },
      database: { url: redact(run.databaseUrl!), embedded: !config.databaseUrl },
      localIdp: systems.localIdp,
      client: api.client,
      cases: api.cases,
      tasks: api.tasks,
      tokens: systems.tokens,
      db: api.db,
      taskQueue: config.taskQueue,
      worker: worker.worker,
      http: api.http,
      httpUrl,
      postboxUrl: run.postboxUrl,
      registersUrl: systems.registersUrl,
      processEnv: processEnvOf(run),
      metrics,
      metricsUrl,
      fitConnect: demoFitConnect,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The outside systems the configuration leaves open, started as stand-ins (embedded PostgreSQL, Temporal dev server,
 * registers, postbox, timestamp authority, payment provider, forwarding recipients, identity provider, token issuer,
 * demo seals), and the configuration that names them as a deployment would.
 */
async function startOutsideSystems(
  config: Config,
  o: { registerData: RegisterData; seed?: number },
  say: Progress,
  stops: Array<() => Promise<void>>,
) {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    say(
      `starting embedded PostgreSQL on 127.0.0.1:${config.embeddedPostgresPort} (data in ${join(config.dataDir, 'postgres')})`,
    );
    const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, notice: say });
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }
  const temporal = await connectOrStartTemporal(config, say, stops);
  let registersUrl = config.registerBaseUrl;
  if (!registersUrl) {
    const s = config.registerSandbox;
    const sandbox = await startRegisterSandbox({
      data: o.registerData,
      port: s.port,
      seed: o.seed,
      faults: { latencyMs: s.latencyMs, errorRate: s.errorRate, timeoutRate: s.timeoutRate },
    });
    stops.push(sandbox.stop);
    registersUrl = sandbox.url;
    say(
      `register sandbox at ${registersUrl} (latency ${s.latencyMs} ms, error rate ${s.errorRate}, timeout rate ${s.timeoutRate})`,
    );
  }
  let postboxUrl = config.postboxUrl;
  let mailGatewayUrl = config.mailGatewayUrl;
  if (!postboxUrl) {
    const sandbox = await startPostboxSandbox({ host: '127.0.0.1', port: config.postboxSandboxPort });
    stops.push(sandbox.stop);
    postboxUrl = sandbox.url;
    // The stand-in also plays the mail gateway for applicants who chose e-mail as their reply channel.
    mailGatewayUrl ??= sandbox.url;
    say(`postbox sandbox listening on ${postboxUrl} (GET /postbox/<recipient>; mails: GET /mails/<address>)`);
  }
  const tsaUrl = await timestampAuthorityUrl(config, say, stops);
  const sealKeys = sealKeyStore(config, tsaUrl === 'off' ? undefined : new HttpTimestampAuthority(tsaUrl));
  // Demo CA and authority seals are made now, not by the first case; a configured PKCS#12 is checked early.
  await Promise.all(sealIdentities().map((identity) => sealKeys.keyFor(identity)));
  say(
    config.sealDir
      ? `seal keys loaded from ${config.sealDir.dir}`
      : config.seal
        ? `seal keys loaded from ${config.seal.p12File}`
        : `demo seal CA and authority seals ready in ${join(config.dataDir, 'seal')}`,
  );
  const paymentProviderUrl = config.paymentProviderUrl ?? (await paymentSandbox(config, say, stops));
  const forwardingUrl = await forwardingTarget(config, say, stops);
  let localIdp: LocalIdentityProvider | undefined;
  if (!config.oidcIssuer) {
    localIdp = await startLocalIdentityProvider({
      host: '127.0.0.1',
      port: config.idpPort,
      audience: config.oidcAudience,
      nameOf: sandboxNames(o.registerData),
    });
    stops.push(localIdp.stop);
  }
  const audience = { issuer: config.authIssuer, audience: config.authAudience };
  const tokens = config.authJwksUrl
    ? undefined
    : await localIssuer({ ...audience, file: join(config.dataDir, 'keys', 'auth-signing-key.json') });
  const authJwksFile = tokens ? join(config.dataDir, 'keys', 'auth-jwks.json') : config.authJwksFile;
  if (tokens && authJwksFile) await writeFile(authJwksFile, JSON.stringify(tokens.jwks));
  const run: Config = {
    ...config,
    databaseUrl,
    temporalAddress: temporal.address,
    registerBaseUrl: registersUrl,
    postboxUrl,
    tsaUrl,
    paymentProviderUrl,
    forwardingUrl,
    mailGatewayUrl,
    oidcIssuer: config.oidcIssuer ?? localIdp!.issuer,
    authJwksFile,
    sealDir: config.sealDir ?? (config.seal ? undefined : demoSealDir(config)),
    // The in-process worker's health is the process's own: the API answers /livez and /readyz.
    workerHealth: { host: '127.0.0.1', port: 0 },
    metricsPort: undefined,
  };
  return {
    config: run,
    temporal,
    registersUrl,
    localIdp,
    tokens,
    auth: jwtVerifier(tokens?.keys ?? remoteKeys(config.authJwksUrl!), audience),
    codecAuth: codecCallerVerifier(tokens?.keys ?? remoteKeys(config.authJwksUrl!), audience),
  };
}

async function connectOrStartTemporal(config: Config, say: Progress, stops: Array<() => Promise<void>>) {
  if (config.temporalAddress) {
    const connection = await connectClient(temporalConnectionOptions(config));
    stops.push(() => connection.close());
    await ensureSearchAttributes(connection, config.temporalNamespace);
    say(`using Temporal at ${config.temporalAddress}`);
    return { address: config.temporalAddress, connection, uiUrl: undefined, version: undefined };
  }
  const server = await startTemporalDevServer({
    cli: config.temporalCli,
    port: config.temporalPort,
    uiPort: config.temporalUiPort,
    dbFile: join(config.dataDir, 'temporal', 'dev-server.sqlite'),
    logFile: join(config.dataDir, 'temporal', 'dev-server.log'),
    namespace: config.temporalNamespace,
    codecEndpoint: demoCodecEndpoint(config),
  });
  stops.push(server.stop);
  say(`Temporal dev server up at ${server.address} (${server.version.replace(/^temporal version /, 'CLI ')})`);
  return server;
}

/** The payment sandbox playing the provider; its webhooks go to the engine's public base URL. */
async function paymentSandbox(config: Config, say: Progress, stops: Array<() => Promise<void>>): Promise<string> {
  const sandbox = await startPaymentSandbox({
    port: config.paymentSandboxPort,
    webhookSecret: config.paymentWebhookSecret,
    outcome: config.paymentSandboxOutcome,
    delayMs: config.paymentSandboxDelayMs,
  });
  stops.push(sandbox.close);
  say(
    `payment sandbox at ${sandbox.url} (outcome ${config.paymentSandboxOutcome} after ${config.paymentSandboxDelayMs} ms)`,
  );
  return sandbox.url;
}

/** The demo CA's folder as a SEAL_DIR: it holds `<sealIdentity>.p12` and the CA certificate. */
function demoSealDir(config: Config): NonNullable<Config['sealDir']> {
  const dir = join(config.dataDir, 'seal');
  return { dir, passphrase: DEMO_SEAL_PASSPHRASE, trustAnchorsFile: join(dir, 'demo-ca.pem') };
}

/** The settings with which `npm run api` / `npm run worker` join this stack as separate processes. */
function processEnvOf(run: Config): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: run.temporalAddress!,
    TEMPORAL_NAMESPACE: run.temporalNamespace,
    TASK_QUEUE: run.taskQueue,
    DATABASE_URL: run.databaseUrl!,
    REGISTER_BASE_URL: run.registerBaseUrl!,
    PAYMENT_PROVIDER_URL: run.paymentProviderUrl!,
    ...(run.postboxUrl && { POSTBOX_URL: run.postboxUrl }),
    ...(run.tsaUrl && { TSA_URL: run.tsaUrl }),
    ...(run.forwardingUrl && { FORWARDING_URL: run.forwardingUrl }),
    ...(run.mailGatewayUrl && { MAIL_GATEWAY_URL: run.mailGatewayUrl }),
    OIDC_ISSUER: run.oidcIssuer!,
    ...(run.authJwksUrl ? { AUTH_JWKS_URL: run.authJwksUrl } : { AUTH_JWKS_FILE: run.authJwksFile! }),
    AUTH_ISSUER: run.authIssuer,
    PUBLIC_BASE_URL: run.publicBaseUrl,
    DATA_DIR: run.dataDir,
    ...(run.workflowBundle && { WORKFLOW_BUNDLE: run.workflowBundle }),
    ...sealEnv(run),
    ...blobEnv(run),
  };
}

/** The seals as the configuration names them (the demo's are a SEAL_DIR). */
function sealEnv(config: Config): Record<string, string> {
  if (config.sealDir)
    return {
      SEAL_DIR: config.sealDir.dir,
      SEAL_P12_PASSPHRASE: config.sealDir.passphrase,
      SEAL_TRUST_ANCHORS: config.sealDir.trustAnchorsFile,
    };
  return config.seal
    ? {
        SEAL_P12_FILE: config.seal.p12File,
        SEAL_P12_PASSPHRASE: config.seal.passphrase,
        SEAL_TRUST_ANCHORS: config.seal.trustAnchorsFile,
      }
    : {};
}

/**
 * Registers over HTTP at one base URL (the sandbox, or the real ones behind a gateway); the invoice check and the
 * trade prohibition register of the other sample services are answered from seeded records.
 */
export function engineRegisters(baseUrl: string, timeoutMs: number): Registers {
  const seeded = new SeededRegisters(otherServicesSeed());
  return new RegistersByName({ uploads: seeded, gzr: seeded, permits: seeded }, httpRegisters(baseUrl, timeoutMs));
}

/** Extra processes share the demo's documents: its folder when they run on this machine, else the configured store. */
function blobEnv(config: Config): Record<string, string> {
  const b = config.blobStore;
  if (b.kind !== 's3') return { BLOB_STORE: b.kind };
  return {
    BLOB_STORE: 's3',
    S3_BUCKET: b.bucket,
    S3_PREFIX: b.prefix,
    S3_REGION: b.region,
    S3_FORCE_PATH_STYLE: String(b.forcePathStyle),
    ...(b.endpoint && { S3_ENDPOINT: b.endpoint }),
  };
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

/** The sandbox identity provider attests the names the sandbox population register holds, as BundID would. */
function sandboxNames(data: RegisterData) {
  const names = new Map(data.population.map((p) => [p.subject, { givenName: p.givenName, familyName: p.familyName }]));
  return (subject: string) => names.get(subject);
}

/** PAdES B-T needs a timestamp authority: the configured one, the stand-in by default, none with TSA_URL=off. */
async function timestampAuthorityUrl(
  config: Config,
  say: Progress,
  stops: Array<() => Promise<void>>,
): Promise<string> {
  if (config.tsaUrl) return config.tsaUrl;
  const tsa = await startTsaSandbox({ host: config.httpHost, port: config.tsaSandboxPort });
  stops.push(tsa.stop);
  say(`timestamp authority stand-in (RFC 3161) at ${tsa.url}: seals are PAdES B-T`);
  return tsa.url;
}

/** The configured forwarding gateway, else the recipients' stand-in. */
async function forwardingTarget(
  config: Config,
  say: (line: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<string> {
  if (config.forwardingUrl) return config.forwardingUrl;
  const sandbox = await startForwardingSandbox({ host: config.httpHost, port: config.forwardingSandboxPort });
  stops.push(sandbox.stop);
  say(`forwarding stand-in (Gewerbeanzeige recipients) at ${sandbox.url} (GET /recipients/<recipient>/notices)`);
  return sandbox.url;
}

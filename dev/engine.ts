import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { RegistersByName, type Registers } from '../adapters/registers.js';
import { SeededRegisters } from './seeded-registers.js';
import { otherServicesSeed } from './demo/sample-other-services.js';
import type { PaymentsDeps } from '../adapters/payments.js';
import { HttpPaymentProvider } from '../adapters/payments-http.js';
import { startPostboxSandbox } from './stand-ins/postbox/server.js';
import { chatModelFrom } from '../adapters/assistant/chat-client.js';
import { CaseClient } from '../client/case-client.js';
import { QuestionClient } from '../client/question-client.js';
import { buildHttpApi } from '../http/http-api.js';
import { resolveIncidentVia } from '../http/incident-routes.js';
import { TaskClient } from '../client/task-client.js';
import { workbenchFor } from '../http/workbench/index.js';
import { localIssuer, type LocalIssuer } from './identity/local-issuer.js';
import { jwtVerifier, remoteKeys } from '../platform/auth/tokens.js';
import { ConfigError, type Config } from '../platform/config.js';
import { connectDatabase, type Database } from '../db/client.js';
import { startLocalIdentityProvider, type LocalIdentityProvider } from './identity/local-identity-provider.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { migrateDatabase } from '../db/migrate.js';
import { assertDatabaseReachable } from '../platform/database.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { ensureSearchAttributes } from '../platform/temporal.js';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { startPaymentSandbox } from './stand-ins/payments/server.js';
import { activityDeps, httpRegisters } from '../app/adapters.js';
import { createCaseWorker } from '../app/case-worker.js';
import { connectClient, connectNative, temporalConnectionOptions } from '../app/temporal-connection.js';
import { addHealthRoutes, databaseProbe, temporalProbe } from '../app/health.js';
import type { RegisterData } from './stand-ins/registers/data.js';
import { startRegisterSandbox } from './stand-ins/registers/server.js';
import { DEMO_SEAL_PASSPHRASE, sealKeyStore } from './demo-seal-keys.js';
import { sealIdentities } from '../app/production-profile.js';
import { describeBlobStore, openBlobStore } from '../adapters/blob-store/index.js';
import { EngineMetrics, startMetricsServer } from '../platform/metrics.js';
import { startTsaSandbox } from './stand-ins/tsa/server.js';
import { startForwardingSandbox } from './stand-ins/forwarding/server.js';
import { HttpTimestampAuthority, type TimestampAuthority } from '../adapters/timestamp.js';
import { RETENTION_SCHEDULE_ID, ensureRetentionSchedule } from '../client/retention-schedule.js';
import { TASK_QUEUE } from '../workflows/contracts/ids.js';
import { startTracing, traceRequests } from '../platform/tracing.js';
import { configuredFitConnectIntake, type FitConnectIntake } from '../app/fit-connect.js';
import { startDemoFitConnect, type DemoFitConnect } from './fit-connect.js';

export { activityDeps, type AdapterOptions } from '../app/adapters.js';

// The embedded development stack (dev server, embedded PostgreSQL, sandboxes, seeds, local issuers, demo CA) for
// `npm run demo`, the bench and the tests. Production entry points (api.ts, worker.ts, migrate.ts) never import this.
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { payloadKeyRing } from '../platform/codec/keys.js';
import { demoCodecEndpoint, startDemoCodecServer } from './codec-demo-keys.js';
import type { Logger } from '../platform/logger.js';
import { applyExtensions, loadPlugins, stepActivities } from '../app/extensions.js';
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

/** Starts everything the engine needs, on embedded defaults unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise. */
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
    // Teams' services and adapters first: a broken service folder stops start-up before anything runs.
    const plugins = await loadPlugins(config, o.extensions);
    if (plugins.services.length)
      say(`services from SERVICE_DIRS: ${plugins.services.map((s) => `"${s.service.name}"`).join(', ')}`);
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      say(
        `starting embedded PostgreSQL on 127.0.0.1:${config.embeddedPostgresPort} (data in ${join(config.dataDir, 'postgres')})`,
      );
      const pg = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPostgresPort,
        notice: say,
      });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    await assertDatabaseReachable(databaseUrl);
    await migrateDatabase(databaseUrl);
    say('database migrated');
    const database = connectDatabase(databaseUrl);
    stops.push(database.close);

    const payloadKeys = payloadKeyRing(config);
    const dataConverter = engineDataConverter(payloadKeys);
    const temporal = await connectOrStartTemporal(config, say, stops);
    const nativeConnection = await connectNative(temporalConnectionOptions(config, temporal.address));
    stops.push(() => nativeConnection.close());

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
    if (!postboxUrl) {
      const sandbox = await startPostboxSandbox({ host: '127.0.0.1', port: config.postboxSandboxPort });
      stops.push(sandbox.stop);
      postboxUrl = sandbox.url;
      say(`postbox sandbox listening on ${postboxUrl} (GET /postbox/<recipient>)`);
    }
    const sealKeys = sealKeyStore(config, await timestampAuthority(config, say, stops));
    // Demo CA and authority seals are made now, not by the first case; a configured PKCS#12 is checked early.
    await Promise.all(sealIdentities().map((identity) => sealKeys.keyFor(identity)));
    say(
      config.sealDir
        ? `seal keys loaded from ${config.sealDir.dir}`
        : config.seal
          ? `seal keys loaded from ${config.seal.p12File}`
          : `demo seal CA and authority seals ready in ${join(config.dataDir, 'seal')}`,
    );
    const httpUrl = `http://${config.httpHost}:${config.httpPort}`;
    const payments = await paymentsFor(config, httpUrl, say, stops);
    const metrics = new EngineMetrics();
    metrics.observeDatabase(database.db);
    metrics.sdkMetricsUrl = o.sdkMetricsUrl;
    const forwardingUrl = await forwardingTarget(config, say, stops);
    const deps = applyExtensions(
      activityDeps(
        config.dataDir,
        database.db,
        metrics.measure(engineRegisters(registersUrl, config.registerTimeoutMs)),
        {
          forwardingUrl,
          publicBaseUrl: config.publicBaseUrl,
          postboxUrl,
          sealKeys,
          payments,
          model: chatModelFrom(config.assistant),
          blobs: openBlobStore(config.blobStore, database.db),
        },
      ),
      plugins.extensions,
    );
    say(`documents and archive packages in ${describeBlobStore(config.blobStore)}`);
    const tracing = config.otlpEndpoint
      ? startTracing({ endpoint: config.otlpEndpoint, serviceName: 'ozg-case-engine' })
      : undefined;
    if (tracing) {
      stops.push(tracing.shutdown);
      say(`OpenTelemetry traces to ${config.otlpEndpoint}`);
    }
    say('bundling workflows and starting the worker');
    const worker = await createCaseWorker({
      connection: nativeConnection,
      namespace: config.temporalNamespace,
      deps,
      dataConverter,
      taskQueue: config.taskQueue,
      tuning: config.worker,
      metrics,
      plugins: tracing && [tracing.workerPlugin],
      extraActivities: stepActivities(deps, plugins.extensions),
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const client = new Client({
      connection: temporal.connection,
      namespace: config.temporalNamespace,
      dataConverter,
      interceptors: tracing?.clientInterceptors,
    });
    const cases = new CaseClient(client, config.taskQueue);
    await ensureRetentionSchedule(client, TASK_QUEUE);
    say(
      `retention schedule "${RETENTION_SCHEDULE_ID}" runs daily (erases personal data and documents after each service's retention period)`,
    );
    let localIdp: LocalIdentityProvider | undefined;
    if (!config.oidcIssuer) {
      localIdp = await startLocalIdentityProvider({
        host: '127.0.0.1',
        port: config.idpPort,
        audience: config.oidcAudience,
        nameOf: sandboxNames(o.registerData),
      });
      stops.push(localIdp.stop);
      say(`local identity provider (sandbox) at ${localIdp.issuer}`);
    }
    const verifier = new OidcTokenVerifier({
      issuer: config.oidcIssuer ?? localIdp!.issuer,
      audience: config.oidcAudience,
    });
    // FIT-Connect intake: a configured delivery service, else the stand-in with one destination (Stadt Musterstadt).
    let demoFitConnect: DemoFitConnect | undefined;
    let fitConnect: FitConnectIntake | undefined;
    if (config.fitConnect) {
      fitConnect = await configuredFitConnectIntake(config.fitConnect, { cases, identity: verifier, logger: o.logger });
      say(
        `FIT-Connect: receiving for destination ${config.fitConnect.destinationId} at ${config.fitConnect.submissionUrl}`,
      );
    } else if (config.fitConnectSandbox.on) {
      demoFitConnect = await startDemoFitConnect(config, { cases, identity: verifier, logger: o.logger, httpUrl });
      stops.push(demoFitConnect.sandbox.stop);
      fitConnect = demoFitConnect.intake;
      say(
        `FIT-Connect stand-in (Submission API v1 shapes) at ${demoFitConnect.sandbox.url}: destination ${demoFitConnect.destinationId} (${demoFitConnect.authorityId}), event log at ${demoFitConnect.sandbox.url}/event-log`,
      );
    }
    const tasks = new TaskClient(client, database.db);
    const audience = { issuer: config.authIssuer, audience: config.authAudience };
    const tokens = config.authJwksUrl
      ? undefined
      : await localIssuer({ ...audience, file: join(config.dataDir, 'keys', 'auth-signing-key.json') });
    const jwksFile = join(config.dataDir, 'keys', 'auth-jwks.json');
    if (tokens) await writeFile(jwksFile, JSON.stringify(tokens.jwks));
    const auth = jwtVerifier(tokens?.keys ?? remoteKeys(config.authJwksUrl!), audience);
    const http = await buildHttpApi({
      cases,
      tasks,
      auth,
      identity: verifier,
      verification: { db: database.db, documents: deps.documents, sealKeys },
      evidence: { db: database.db, documents: deps.documents, uploadMaxBytes: config.uploadMaxBytes },
      payments: { db: database.db, webhookSecret: config.paymentWebhookSecret },
      assistant: { assistant: deps.assistant, questions: new QuestionClient(client) },
      logger: o.logger,
      workbench: workbenchFor(config, {
        client,
        db: database.db,
        documents: deps.documents,
        localIssuer: localIdp?.issuer,
      }),
      security: config.rateLimit,
      incidents: { db: database.db, resolve: resolveIncidentVia(client) },
      metrics,
      fitConnect: fitConnect?.routes,
    });
    const pg = databaseProbe(databaseUrl);
    stops.push(pg.close);
    addHealthRoutes(http, { temporal: temporalProbe(temporal.connection), postgres: pg.probe });
    if (tracing) traceRequests(http, tracing.tracer);
    await http.listen({ host: config.httpHost, port: config.httpPort });
    stops.push(() => http.close());
    say(`HTTP API listening on ${httpUrl}`);
    if (fitConnect) {
      const receiver = fitConnect.receiver;
      receiver.start(config.fitConnect?.pollMs ?? config.fitConnectSandbox.pollMs);
      stops.push(() => receiver.stop());
      say(
        `FIT-Connect receiver polls every ${config.fitConnect?.pollMs ?? config.fitConnectSandbox.pollMs} ms${fitConnect.routes ? ' and takes callbacks at POST /fit-connect/callback' : ''}`,
      );
    }
    if (temporal.uiUrl) {
      const codecServer = await startDemoCodecServer(config, payloadKeys, auth);
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
        address: temporal.address,
        uiUrl: temporal.uiUrl,
        cliVersion: temporal.version,
        embedded: !config.temporalAddress,
      },
      database: { url: redact(databaseUrl), embedded: !config.databaseUrl },
      localIdp,
      client,
      cases,
      tasks,
      tokens,
      db: database.db,
      taskQueue: config.taskQueue,
      worker,
      http,
      httpUrl,
      postboxUrl,
      registersUrl,
      processEnv: {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: config.temporalNamespace,
        TASK_QUEUE: config.taskQueue,
        DATABASE_URL: databaseUrl,
        REGISTER_BASE_URL: registersUrl,
        PAYMENT_PROVIDER_URL: payments.providerUrl,
        ...(postboxUrl && { POSTBOX_URL: postboxUrl }),
        OIDC_ISSUER: config.oidcIssuer ?? localIdp!.issuer,
        ...(config.authJwksUrl ? { AUTH_JWKS_URL: config.authJwksUrl } : { AUTH_JWKS_FILE: jwksFile }),
        AUTH_ISSUER: config.authIssuer,
        PUBLIC_BASE_URL: config.publicBaseUrl,
        DATA_DIR: config.dataDir,
        ...sealEnv(config),
        ...blobEnv(config),
      },
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

/** The configured provider, or the payment sandbox playing one; webhooks go to the engine's HTTP API. */
async function paymentsFor(
  config: Config,
  httpUrl: string,
  say: Progress,
  stops: Array<() => Promise<void>>,
): Promise<PaymentsDeps & { providerUrl: string }> {
  let providerUrl = config.paymentProviderUrl;
  if (!providerUrl) {
    const sandbox = await startPaymentSandbox({
      port: config.paymentSandboxPort,
      webhookSecret: config.paymentWebhookSecret,
      outcome: config.paymentSandboxOutcome,
      delayMs: config.paymentSandboxDelayMs,
    });
    stops.push(sandbox.close);
    providerUrl = sandbox.url;
    say(
      `payment sandbox at ${sandbox.url} (outcome ${config.paymentSandboxOutcome} after ${config.paymentSandboxDelayMs} ms)`,
    );
  }
  return {
    provider: new HttpPaymentProvider(providerUrl),
    portalUrl: httpUrl,
    notifyUrl: `${httpUrl}/payments/webhook`,
    providerUrl,
  };
}

/** The demo's seals as a SEAL_DIR (the demo CA's folder holds `<sealIdentity>.p12` and the CA certificate). */
function sealEnv(config: Config): Record<string, string> {
  if (config.sealDir)
    return {
      SEAL_DIR: config.sealDir.dir,
      SEAL_P12_PASSPHRASE: config.sealDir.passphrase,
      SEAL_TRUST_ANCHORS: config.sealDir.trustAnchorsFile,
    };
  if (config.seal)
    return {
      SEAL_P12_FILE: config.seal.p12File,
      SEAL_P12_PASSPHRASE: config.seal.passphrase,
      SEAL_TRUST_ANCHORS: config.seal.trustAnchorsFile,
    };
  const dir = join(config.dataDir, 'seal');
  return { SEAL_DIR: dir, SEAL_P12_PASSPHRASE: DEMO_SEAL_PASSPHRASE, SEAL_TRUST_ANCHORS: join(dir, 'demo-ca.pem') };
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
async function timestampAuthority(
  config: Config,
  say: (line: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<TimestampAuthority | undefined> {
  if (config.tsaUrl === 'off') return undefined;
  if (config.tsaUrl) return new HttpTimestampAuthority(config.tsaUrl);
  const tsa = await startTsaSandbox({ host: config.httpHost, port: config.tsaSandboxPort });
  stops.push(tsa.stop);
  say(`timestamp authority stand-in (RFC 3161) at ${tsa.url}: seals are PAdES B-T`);
  return new HttpTimestampAuthority(tsa.url);
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

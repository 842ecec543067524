import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { BlobArchiveStore } from './adapters/archive-store.js';
import { DocumentStore } from './adapters/document-store.js';
import { HttpPostbox } from './adapters/http-postbox.js';
import { allRegistersAt, HttpRegisters, RegistersByName, type Registers } from './adapters/registers.js';
import { SeededRegisters } from './adapters/seeded-registers.js';
import { otherServicesSeed } from './demo/sample-other-services.js';
import type { PaymentsDeps } from './adapters/payments.js';
import { HttpPaymentProvider } from './adapters/payments-http.js';
import { DatabasePostbox } from './adapters/postbox.js';
import { DemoSealKeyStore, sealKeyStore, type SealKeyStore } from './adapters/seal-keys.js';
import { PdfSealer } from './adapters/sealer.js';
import { startPostboxSandbox } from './sandbox/postbox/server.js';
import { listServices } from './services/catalogue.js';
import { Assistant } from './assistant/assistant.js';
import { chatModelFrom, type ChatModel } from './assistant/chat-client.js';
import { CaseClient } from './client/case-client.js';
import { QuestionClient } from './client/question-client.js';
import { buildHttpApi } from './client/http-api.js';
import { TaskClient } from './client/task-client.js';
import { localIssuer, type LocalIssuer } from './auth/local-issuer.js';
import { jwtVerifier, remoteKeys } from './auth/tokens.js';
import { loadConfig, type Config } from './config.js';
import { connectDatabase, type Database } from './db/client.js';
import { startLocalIdentityProvider, type LocalIdentityProvider } from './identity/local-identity-provider.js';
import { OidcTokenVerifier } from './identity/token-verifier.js';
import { migrateDatabase } from './db/migrate.js';
import { assertDatabaseReachable } from './infra/database.js';
import { startEmbeddedPostgres } from './infra/embedded-postgres.js';
import { connectTemporal, ensureSearchAttributes } from './infra/temporal.js';
import { startTemporalDevServer } from './infra/temporal-dev-server.js';
import { startPaymentSandbox } from './sandbox/payments/server.js';
import { createCaseWorker } from './worker.js';
import { applyExtensions, loadPlugins, stepActivities } from './extensions/compose.js';
import type { ActivityDeps } from './activities/index.js';
import type { RegisterData } from './sandbox/registers/data.js';
import { startRegisterSandbox } from './sandbox/registers/server.js';
import { FolderBlobStore, type BlobStore } from './storage/blob-store.js';
import { describeBlobStore, openBlobStore } from './storage/index.js';
import { EngineMetrics, startMetricsServer } from './observability/metrics.js';
import { startTracing, traceRequests } from './observability/tracing.js';

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
  worker: Worker;
  http: FastifyInstance;
  httpUrl: string;
  postboxUrl?: string;
  registersUrl: string;
  metrics: EngineMetrics;
  /** Where Prometheus scrapes this process, when METRICS_PORT is set. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

export type Progress = (message: string) => void;

/** Starts everything the engine needs, on embedded defaults unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise. */
export async function startEngine(config: Config, o: { registerData: RegisterData; progress?: Progress; sdkMetricsUrl?: string }): Promise<Engine> {
  const say = o.progress ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    // Teams' services and adapters first: a broken service folder stops start-up before anything runs.
    const plugins = await loadPlugins(config);
    if (plugins.services.length) say(`services from SERVICE_DIRS: ${plugins.services.map((s) => `"${s.service.name}"`).join(', ')}`);
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      say(`starting embedded PostgreSQL on 127.0.0.1:${config.embeddedPostgresPort} (data in ${join(config.dataDir, 'postgres')})`);
      const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, notice: say });
      stops.push(pg.stop);
      databaseUrl = pg.url;
    }
    await assertDatabaseReachable(databaseUrl);
    await migrateDatabase(databaseUrl);
    say('database migrated');
    const database = connectDatabase(databaseUrl);
    stops.push(database.close);

    const temporal = await connectOrStartTemporal(config, say, stops);
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => nativeConnection.close());

    let registersUrl = config.registerBaseUrl;
    if (!registersUrl) {
      const s = config.registerSandbox;
      const sandbox = await startRegisterSandbox({ data: o.registerData, port: s.port, faults: { latencyMs: s.latencyMs, errorRate: s.errorRate, timeoutRate: s.timeoutRate } });
      stops.push(sandbox.stop);
      registersUrl = sandbox.url;
      say(`register sandbox at ${registersUrl} (latency ${s.latencyMs} ms, error rate ${s.errorRate}, timeout rate ${s.timeoutRate})`);
    }
    let postboxUrl = config.postboxUrl;
    if (!postboxUrl) {
      const sandbox = await startPostboxSandbox({ host: config.httpHost, port: config.postboxSandboxPort });
      stops.push(sandbox.stop);
      postboxUrl = sandbox.url;
      say(`postbox sandbox listening on ${postboxUrl} (GET /postbox/<recipient>)`);
    }
    const sealKeys = sealKeyStore(config);
    // Demo CA and authority seals are made now, not by the first case; a configured PKCS#12 is checked early.
    const sealIdentities = new Set(listServices().flatMap((svc) => Object.values(svc.authorities).map((a) => a.sealIdentity)));
    await Promise.all([...sealIdentities].map((identity) => sealKeys.keyFor(identity)));
    say(config.seal ? `seal keys loaded from ${config.seal.p12File}` : `demo seal CA and authority seals ready in ${join(config.dataDir, 'seal')}`);
    const httpUrl = `http://${config.httpHost}:${config.httpPort}`;
    const payments = await paymentsFor(config, httpUrl, say, stops);
    const metrics = new EngineMetrics();
    metrics.observeDatabase(database.db);
    metrics.sdkMetricsUrl = o.sdkMetricsUrl;
    const deps = applyExtensions(activityDeps(config.dataDir, database.db, metrics.measure(engineRegisters(registersUrl, config.registerTimeoutMs)), {
      publicBaseUrl: config.publicBaseUrl,
      postboxUrl,
      sealKeys,
      payments,
      model: chatModelFrom(config.assistant),
      blobs: openBlobStore(config.blobStore, database.db),
    }), plugins.extensions);
    say(`documents and archive packages in ${describeBlobStore(config.blobStore)}`);
    say('bundling workflows and starting the worker');
    const tracing = config.otlpEndpoint ? startTracing({ endpoint: config.otlpEndpoint, serviceName: 'ozg-case-engine' }) : undefined;
    if (tracing) {
      stops.push(tracing.shutdown);
      say(`OpenTelemetry traces to ${config.otlpEndpoint}`);
    }
    const worker = await createCaseWorker({
      connection: nativeConnection,
      namespace: config.temporalNamespace,
      deps,
      metrics,
      plugins: tracing && [tracing.workerPlugin],
      extraActivities: stepActivities(deps, plugins.extensions),
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const client = new Client({ connection: temporal.connection, namespace: config.temporalNamespace, interceptors: tracing?.clientInterceptors });
    const cases = new CaseClient(client);
    let localIdp: LocalIdentityProvider | undefined;
    if (!config.oidcIssuer) {
      localIdp = await startLocalIdentityProvider({ host: config.httpHost, port: config.idpPort, audience: config.oidcAudience });
      stops.push(localIdp.stop);
      say(`local identity provider (sandbox) at ${localIdp.issuer}`);
    }
    const verifier = new OidcTokenVerifier({ issuer: config.oidcIssuer ?? localIdp!.issuer, audience: config.oidcAudience });
    const tasks = new TaskClient(client, database.db);
    const audience = { issuer: config.authIssuer, audience: config.authAudience };
    const tokens = config.authJwksUrl ? undefined : await localIssuer({ ...audience, file: join(config.dataDir, 'keys', 'auth-signing-key.json') });
    const http = await buildHttpApi({
      cases,
      tasks,
      auth: jwtVerifier(tokens?.keys ?? remoteKeys(config.authJwksUrl!), audience),
      identity: verifier,
      verification: { db: database.db, documents: deps.documents, sealKeys },
      evidence: { db: database.db, documents: deps.documents, uploadMaxBytes: config.uploadMaxBytes },
      payments: { db: database.db, webhookSecret: config.paymentWebhookSecret },
      assistant: { assistant: deps.assistant, questions: new QuestionClient(client) },
      metrics,
    });
    if (tracing) traceRequests(http, tracing.tracer);
    await http.listen({ host: config.httpHost, port: config.httpPort });
    stops.push(() => http.close());
    say(`HTTP API listening on ${httpUrl}`);
    let metricsUrl: string | undefined;
    if (config.metricsPort !== undefined) {
      const server = await startMetricsServer(metrics, { host: config.httpHost, port: config.metricsPort });
      stops.push(server.stop);
      metricsUrl = server.url;
      say(`Prometheus metrics at ${metricsUrl}`);
    }
    say(config.assistant ? `dialogue assistant on: ${config.assistant.model} at ${redact(config.assistant.url)}` : 'dialogue assistant off (set ASSISTANT_URL to enable)');

    return {
      temporal: { address: temporal.address, uiUrl: temporal.uiUrl, cliVersion: temporal.version, embedded: !config.temporalAddress },
      database: { url: redact(databaseUrl), embedded: !config.databaseUrl },
      localIdp,
      client,
      cases,
      tasks,
      tokens,
      db: database.db,
      worker,
      http,
      httpUrl,
      postboxUrl,
      registersUrl,
      metrics,
      metricsUrl,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function connectOrStartTemporal(config: Config, say: Progress, stops: Array<() => Promise<void>>) {
  if (config.temporalAddress) {
    const connection = await connectTemporal(config.temporalAddress);
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
  });
  stops.push(server.stop);
  say(`Temporal dev server up at ${server.address} (${server.version.replace(/^temporal version /, "CLI ")})`);
  return server;
}

/** The configured provider, or the payment sandbox playing one; webhooks go to the engine's HTTP API. */
async function paymentsFor(config: Config, httpUrl: string, say: Progress, stops: Array<() => Promise<void>>): Promise<PaymentsDeps> {
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
    say(`payment sandbox at ${sandbox.url} (outcome ${config.paymentSandboxOutcome} after ${config.paymentSandboxDelayMs} ms)`);
  }
  return { provider: new HttpPaymentProvider(providerUrl), portalUrl: httpUrl, notifyUrl: `${httpUrl}/payments/webhook` };
}

export interface AdapterOptions {
  publicBaseUrl: string;
  /** A postbox over HTTP; unset means the database-only postbox. */
  postboxUrl?: string;
  sealKeys?: SealKeyStore;
  payments: PaymentsDeps;
  /** The dialogue assistant's model; unset means the assistant is off. */
  model?: ChatModel;
  /** Where documents and archive packages live; unset means folders under the data folder. */
  blobs?: BlobStore;
}

/** Adapters over the shared blob store (documents, archive packages) and the configured outside systems. */
export function activityDeps(dataDir: string, db: Database, registers: Registers, o: AdapterOptions): ActivityDeps {
  const blobs = o.blobs ?? new FolderBlobStore(dataDir);
  const documents = new DocumentStore(blobs);
  return {
    db,
    registers,
    payments: o.payments,
    documents,
    sealer: new PdfSealer(o.sealKeys ?? new DemoSealKeyStore(join(dataDir, 'seal'))),
    archive: new BlobArchiveStore(blobs),
    postbox: o.postboxUrl ? new HttpPostbox({ url: o.postboxUrl, documents, db }) : new DatabasePostbox(db),
    publicBaseUrl: o.publicBaseUrl,
    assistant: new Assistant(o.model ?? chatModelFrom(undefined), db),
  };
}

/**
 * Registers over HTTP at one base URL (the sandbox, or the real ones behind a gateway); the invoice check and the
 * trade prohibition register of the other sample services are answered from seeded records.
 */
export function engineRegisters(baseUrl: string, timeoutMs: number): Registers {
  const seeded = new SeededRegisters(otherServicesSeed());
  return new RegistersByName({ uploads: seeded, gzr: seeded, permits: seeded }, new HttpRegisters({ endpoints: allRegistersAt(baseUrl), timeoutMs }));
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

/** `tsx worker.ts`: a worker alone, for a cluster where Temporal and PostgreSQL already run. */
export async function runStandaloneWorker(): Promise<void> {
  const config = loadConfig();
  if (!config.temporalAddress || !config.databaseUrl || !config.registerBaseUrl) {
    throw new Error('A standalone worker needs TEMPORAL_ADDRESS, DATABASE_URL and REGISTER_BASE_URL; use `npm run demo` for embedded defaults.');
  }
  const plugins = await loadPlugins(config);
  await assertDatabaseReachable(config.databaseUrl);
  const database = connectDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const deps = applyExtensions(
    activityDeps(config.dataDir, database.db, engineRegisters(config.registerBaseUrl!, config.registerTimeoutMs), {
      publicBaseUrl: config.publicBaseUrl,
      postboxUrl: config.postboxUrl,
      sealKeys: sealKeyStore(config),
      payments: {
        provider: new HttpPaymentProvider(config.paymentProviderUrl ?? `http://127.0.0.1:${config.paymentSandboxPort}`),
        portalUrl: `http://${config.httpHost}:${config.httpPort}`,
        notifyUrl: `http://${config.httpHost}:${config.httpPort}/payments/webhook`,
      },
      model: chatModelFrom(config.assistant),
      blobs: openBlobStore(config.blobStore, database.db),
    }),
    plugins.extensions,
  );
  const worker = await createCaseWorker({ connection, namespace: config.temporalNamespace, deps, extraActivities: stepActivities(deps, plugins.extensions) });
  await worker.run();
  await database.close();
  await connection.close();
}

import { readFileSync } from 'node:fs';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { localKeys, jwtVerifier, remoteKeys } from '../platform/auth/tokens.js';
import { DocumentStore } from '../adapters/document-store.js';
import type { SealKeyStore } from '../adapters/seal-keys.js';
import { Assistant } from '../adapters/assistant/assistant.js';
import { chatModelFrom } from '../adapters/assistant/chat-client.js';
import { configuredSealKeyStore } from '../adapters/seal-keys.js';
import { CaseClient } from '../client/case-client.js';
import { buildHttpApi } from '../http/http-api.js';
import { resolveIncidentVia } from '../http/incident-routes.js';
import { loadPlugins, type Plugins } from './extensions.js';
import { QuestionClient } from '../client/question-client.js';
import { TaskClient } from '../client/task-client.js';
import type { Config } from '../platform/config.js';
import { connectDatabase } from '../db/client.js';
import { assertDatabaseReachable } from '../platform/database.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { ensureSearchAttributes } from '../platform/temporal.js';
import { addHealthRoutes, databaseProbe, temporalProbe } from './health.js';
import { assertStartable, type StartupChecks } from './production-profile.js';
import { connectClient, temporalConnectionOptions } from './temporal-connection.js';
import { openBlobStore } from '../adapters/blob-store/index.js';
import { applicantPostbox } from './adapters.js';
import { BlobArchiveStore } from '../adapters/archive-store.js';
import { EngineMetrics, startMetricsServer } from '../platform/metrics.js';
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { payloadKeyRing } from '../platform/codec/keys.js';
import { databaseAuthorities } from '../platform/codec/authority-keys.js';
import { useAkteDataKeys } from '../db/akte-sealing.js';
import { createLogger, logDestination } from '../platform/logger.js';
import { startTracing, traceRequests } from '../platform/tracing.js';
import { workbenchFor } from '../http/workbench/index.js';
import { configuredFitConnectIntake, type FitConnectIntake } from './fit-connect.js';
import { DatabaseSubmissionFacts } from '../adapters/fit-connect/submission-facts.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../platform/logger.js';
import { BlindIndex, DEV_SEARCH_INDEX_SECRET } from '../platform/blind-index.js';

export interface RunningApi {
  http: FastifyInstance;
  url: string;
  client: Client;
  cases: CaseClient;
  tasks: TaskClient;
  db: Database;
  metrics: EngineMetrics;
  /** Stops taking requests, lets running ones finish, then closes the connections. */
  stop(): Promise<void>;
}

/**
 * What the development stack passes in besides its configuration; production passes nothing. Everything else comes
 * from the configuration, so `npm run api` and the demo cannot differ in routes, settings or plugins.
 */
export interface ApiOverrides {
  /** The FIT-Connect intake of the development stand-in (production configures a delivery service instead). */
  fitConnect?: (deps: FitConnectDeps) => Promise<FitConnectIntake | undefined>;
  /** The local identity provider the workbench's development login goes through. */
  localIssuer?: string;
  /** Extension modules and service folders loaded already (once per process), with adapters passed at composition. */
  plugins?: Plugins;
  logger?: Logger;
  /** One process's metrics, shared with an in-process worker; then the caller serves them. */
  metrics?: EngineMetrics;
  /** Only the test stack: its local Temporal and PostgreSQL speak no TLS. */
  startupChecks?: StartupChecks;
}

type FitConnectDeps = Parameters<typeof configuredFitConnectIntake>[1];

/** The HTTP API alone, from configuration: connects to Temporal and PostgreSQL, starts nothing else. */
export async function startApi(config: Config, overrides: ApiOverrides = {}): Promise<RunningApi> {
  await assertStartable(config, 'api', process.env, overrides.startupChecks);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    // The catalogue the API serves and checks applications against includes the teams' services.
    if (!overrides.plugins) await loadPlugins(config);
    await assertDatabaseReachable(config.databaseUrl!);
    const database = connectDatabase(config.databaseUrl!);
    stops.push(database.close);
    const connection = await connectClient(temporalConnectionOptions(config));
    stops.push(() => connection.close());
    await ensureSearchAttributes(connection, config.temporalNamespace);
    const tracing = config.otlpEndpoint
      ? startTracing({ endpoint: config.otlpEndpoint, serviceName: 'ozg-case-engine-api' })
      : undefined;
    if (tracing) stops.push(tracing.shutdown);
    // Per-authority data keys: Temporal payloads and the Akte's personal data at rest (db/akte-sealing.ts).
    const authorities = databaseAuthorities(payloadKeyRing(config), () => database.db);
    useAkteDataKeys(authorities.keys);
    const client = new Client({
      connection,
      namespace: config.temporalNamespace,
      dataConverter: engineDataConverter(payloadKeyRing(config), {
        requireEncryption: config.profile === 'production',
        authorities,
      }),
      interceptors: tracing?.clientInterceptors,
    });
    // Read-model counts are served by the API processes (the same figures from each: aggregate them with max).
    const metrics = overrides.metrics ?? new EngineMetrics();
    metrics.observeDatabase(database.db);
    const sealKeys: SealKeyStore = configuredSealKeyStore(config)!;
    // The API serves documents and the assistant's questions; activities run in the workers.
    const blobs = openBlobStore(config.blobStore, database.db);
    const documents = new DocumentStore(blobs);
    // Read by an applicant's erasure request (Art. 17), which erases as the retention job does.
    const archive = new BlobArchiveStore(blobs);
    const assistant = new Assistant(chatModelFrom(config.assistant), database.db);
    const audience = { issuer: config.authIssuer, audience: config.authAudience };
    const keys = config.authJwksUrl
      ? remoteKeys(config.authJwksUrl)
      : localKeys(JSON.parse(readFileSync(config.authJwksFile!, 'utf8')));
    const searchIndex = new BlindIndex(config.workbench.searchIndexSecret ?? DEV_SEARCH_INDEX_SECRET);
    const cases = new CaseClient(
      client,
      database.db,
      config.taskQueue,
      undefined,
      { ...(config.legalDayMs !== undefined && { legalDayMs: config.legalDayMs }) },
      searchIndex,
    );
    const identity = new OidcTokenVerifier({ issuer: config.oidcIssuer!, audience: config.oidcAudience });
    const logger =
      overrides.logger ?? createLogger({ level: config.logLevel, destination: logDestination(config.logFile) });
    // FIT-Connect intake, when a delivery service is configured: polls in this process, and takes its callback.
    const fitConnectDeps = {
      cases,
      identity,
      logger,
      facts: new DatabaseSubmissionFacts(database.db),
      documents,
      uploadMaxBytes: config.uploadMaxBytes,
    };
    const fitConnect = config.fitConnect
      ? await configuredFitConnectIntake(config.fitConnect, fitConnectDeps)
      : await overrides.fitConnect?.(fitConnectDeps);
    const tasks = new TaskClient(client, database.db, config.actorAssertion.signingKey);
    const http = await buildHttpApi({
      cases,
      tasks,
      auth: jwtVerifier(keys, audience),
      identity,
      verification: { db: database.db, documents: documents, sealKeys },
      evidence: { db: database.db, documents: documents, uploadMaxBytes: config.uploadMaxBytes, archive },
      payments: { db: database.db, webhookSecret: config.paymentWebhookSecret },
      assistant: { assistant: assistant, questions: new QuestionClient(client, config.taskQueue) },
      incidents: { db: database.db, resolve: resolveIncidentVia(client) },
      logger,
      metrics,
      security: config.rateLimit,
      workbench: workbenchFor(config, {
        client,
        db: database.db,
        documents,
        postbox: applicantPostbox(database.db, documents, config),
        localIssuer: overrides.localIssuer,
        publicBaseUrl: config.publicBaseUrl,
        searchIndex,
      }),
      fitConnect: fitConnect?.routes,
    });
    if (tracing) traceRequests(http, tracing.tracer);
    const pg = databaseProbe(config.databaseUrl!);
    stops.push(pg.close);
    addHealthRoutes(http, { temporal: temporalProbe(connection), postgres: pg.probe });
    await http.listen({ host: config.httpHost, port: config.httpPort });
    stops.push(() => http.close());
    if (config.metricsPort !== undefined && !overrides.metrics)
      stops.push((await startMetricsServer(metrics, { host: config.httpHost, port: config.metricsPort })).stop);
    if (fitConnect) {
      fitConnect.receiver.start(config.fitConnect?.pollMs ?? config.fitConnectSandbox.pollMs);
      stops.push(() => fitConnect.receiver.stop());
    }
    const { port } = http.server.address() as { port: number };
    return { http, url: `http://${config.httpHost}:${port}`, client, cases, tasks, db: database.db, metrics, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

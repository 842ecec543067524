import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { FolderArchiveStore } from './adapters/archive-store.js';
import { DocumentStore } from './adapters/document-store.js';
import type { Registers } from './adapters/registers.js';
import { DatabasePostbox } from './adapters/postbox.js';
import { LocalKeySealer } from './adapters/sealer.js';
import { Assistant } from './assistant/assistant.js';
import { chatModelFrom, type ChatModel } from './assistant/chat-client.js';
import { CaseClient } from './client/case-client.js';
import { QuestionClient } from './client/question-client.js';
import { buildHttpApi } from './client/http-api.js';
import { loadConfig, type Config } from './config.js';
import { connectDatabase, type Database } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { assertDatabaseReachable } from './infra/database.js';
import { startEmbeddedPostgres } from './infra/embedded-postgres.js';
import { connectTemporal, ensureSearchAttributes } from './infra/temporal.js';
import { startTemporalDevServer } from './infra/temporal-dev-server.js';
import { createCaseWorker } from './worker.js';
import type { ActivityDeps } from './activities/index.js';

export interface Engine {
  temporal: { address: string; uiUrl?: string; cliVersion?: string; embedded: boolean };
  database: { url: string; embedded: boolean };
  client: Client;
  cases: CaseClient;
  db: Database;
  worker: Worker;
  http: FastifyInstance;
  httpUrl: string;
  stop(): Promise<void>;
}

export type Progress = (message: string) => void;

/** Starts everything the engine needs, on embedded defaults unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise. */
export async function startEngine(config: Config, o: { registers: Registers; progress?: Progress }): Promise<Engine> {
  const say = o.progress ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
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

    const deps = activityDeps(config.dataDir, database.db, o.registers, chatModelFrom(config.assistant));
    say('bundling workflows and starting the worker');
    const worker = await createCaseWorker({ connection: nativeConnection, namespace: config.temporalNamespace, deps });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });

    const client = new Client({ connection: temporal.connection, namespace: config.temporalNamespace });
    const cases = new CaseClient(client);
    const http = buildHttpApi(cases, { assistant: deps.assistant, questions: new QuestionClient(client) });
    await http.listen({ host: config.httpHost, port: config.httpPort });
    stops.push(() => http.close());
    const httpUrl = `http://${config.httpHost}:${config.httpPort}`;
    say(`HTTP API listening on ${httpUrl}`);
    say(config.assistant ? `dialogue assistant on: ${config.assistant.model} at ${redact(config.assistant.url)}` : 'dialogue assistant off (set ASSISTANT_URL to enable)');

    return {
      temporal: { address: temporal.address, uiUrl: temporal.uiUrl, cliVersion: temporal.version, embedded: !config.temporalAddress },
      database: { url: redact(databaseUrl), embedded: !config.databaseUrl },
      client,
      cases,
      db: database.db,
      worker,
      http,
      httpUrl,
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

/** Adapters kept under the data folder: documents, seal keys and archive packages. */
export function activityDeps(dataDir: string, db: Database, registers: Registers, model?: ChatModel): ActivityDeps {
  return {
    db,
    registers,
    documents: new DocumentStore(join(dataDir, 'documents')),
    sealer: new LocalKeySealer(join(dataDir, 'keys')),
    archive: new FolderArchiveStore(join(dataDir, 'archive')),
    postbox: new DatabasePostbox(db),
    assistant: new Assistant(model ?? chatModelFrom(undefined), db),
  };
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

/** `tsx worker.ts`: a worker alone, for a cluster where Temporal and PostgreSQL already run. */
export async function runStandaloneWorker(): Promise<void> {
  const config = loadConfig();
  if (!config.temporalAddress || !config.databaseUrl) {
    throw new Error('A standalone worker needs TEMPORAL_ADDRESS and DATABASE_URL; use `npm run demo` for embedded defaults.');
  }
  await assertDatabaseReachable(config.databaseUrl);
  const database = connectDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const { SeededRegisters } = await import('./adapters/registers.js');
  const { sampleRegisterSeed } = await import('./demo/sample-applications.js');
  const worker = await createCaseWorker({
    connection,
    namespace: config.temporalNamespace,
    deps: activityDeps(config.dataDir, database.db, new SeededRegisters(sampleRegisterSeed()), chatModelFrom(config.assistant)),
  });
  await worker.run();
  await database.close();
  await connection.close();
}

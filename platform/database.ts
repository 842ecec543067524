import postgres from 'postgres';
import { StartupError } from './startup-error.js';

/** Fails fast, with the address tried, when the configured PostgreSQL cannot be reached. */
export async function assertDatabaseReachable(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    const u = new URL(url);
    throw new StartupError(
      `Cannot reach PostgreSQL at ${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)} (${(err as Error).message}).`,
      'Start that server, fix DATABASE_URL, or unset DATABASE_URL to let the engine start its embedded PostgreSQL.',
      { cause: err },
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * postgres.js 3.4.9 (the newest 3.x) writes to a connection that PostgreSQL has closed: when the server goes away in
 * the middle of a transaction, the transaction's ROLLBACK is queued on the closed connection, whose `closed()` has
 * already set its socket to null, and the write scheduled with `setImmediate` throws
 * `TypeError: Cannot read properties of null (reading 'write')` at `nextWrite` — outside any promise, so it is an
 * uncaught exception that ends the process. The transaction itself has already failed with CONNECTION_CLOSED (its
 * activity is retried) and the pool opens a new connection for the next query: nothing else is lost. Reproduced by
 * restarting PostgreSQL under concurrent transactions (the chaos run's PostgreSQL restart).
 */
export function isWriteToClosedPostgresConnection(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    err.message === "Cannot read properties of null (reading 'write')" &&
    /\bnextWrite\b/.test(err.stack ?? '') &&
    /[\\/]postgres[\\/](cjs[\\/])?src[\\/]connection\.js/.test(err.stack ?? '')
  );
}

let ridingOut = false;

/**
 * Lets the process ride out a PostgreSQL restart: the driver's write to a closed connection (above) is logged and
 * ignored; every other uncaught exception still ends the process with status 1, as Node does by default (where another
 * handler is installed, as in a test runner, that handler decides). Installed once per process.
 */
export function rideOutPostgresRestarts(warn: (message: string) => void): void {
  if (ridingOut) return;
  ridingOut = true;
  process.on('uncaughtException', (err) => {
    if (isWriteToClosedPostgresConnection(err))
      return warn('PostgreSQL closed a connection in the middle of a transaction; the transaction is retried');
    if (process.listenerCount('uncaughtException') > 1) return;
    console.error(err);
    process.exit(1);
  });
}

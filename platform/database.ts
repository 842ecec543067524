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

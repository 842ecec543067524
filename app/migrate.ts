import { migrateDatabase } from '../db/migrate.js';
import { ConfigError, type Config } from '../platform/config.js';
import { assertDatabaseReachable } from '../platform/database.js';

/** Brings the database up to date: `npm run migrate` as its own deployment step, and the development stack. */
export async function migrate(config: Pick<Config, 'databaseUrl'>): Promise<void> {
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL: not set (the PostgreSQL to migrate)');
  await assertDatabaseReachable(config.databaseUrl);
  await migrateDatabase(config.databaseUrl);
}

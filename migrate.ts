// `npm run migrate`: applies the database migrations as their own deployment step (API and workers never migrate).
import { runProcess } from './app/process.js';
import { loadConfig, ConfigError } from './platform/config.js';
import { migrateDatabase } from './db/migrate.js';
import { assertDatabaseReachable } from './platform/database.js';

await runProcess('migrate', async () => {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) throw new ConfigError('DATABASE_URL: not set (the PostgreSQL to migrate)');
  await assertDatabaseReachable(databaseUrl);
  await migrateDatabase(databaseUrl);
  console.log('migrate: database is up to date');
  process.exit(0);
});

// `npm run migrate`: applies the database migrations as their own deployment step (API and workers never migrate).
import { migrate } from './app/migrate.js';
import { runProcess } from './app/process.js';
import { loadConfig } from './platform/config.js';

await runProcess('migrate', async () => {
  await migrate(loadConfig());
  console.log('migrate: database is up to date');
  process.exit(0);
});

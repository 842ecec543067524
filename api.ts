// `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS and DATABASE_URL. Stateless: run as many as needed.
import { startApi } from './app/api.js';
import { runProcess } from './app/process.js';
import { loadConfig } from './platform/config.js';

await runProcess('api', async () => {
  const api = await startApi(loadConfig());
  console.log(`api: listening on ${api.url} (/livez, /readyz)`);
  return api;
});

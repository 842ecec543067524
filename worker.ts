// `npm run worker`: a case worker alone, against TEMPORAL_ADDRESS and DATABASE_URL. Stateless: run as many as needed.
import { runProcess } from './app/process.js';
import { startWorker } from './app/worker-process.js';
import { loadConfig } from './platform/config.js';

await runProcess('worker', async () => {
  const worker = await startWorker(loadConfig());
  console.log(`worker: polling; health at ${worker.healthUrl} (/livez, /readyz)`);
  return worker;
});

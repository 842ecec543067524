import { loadConfig } from '../../../platform/config.js';
import { sampleRegisterData } from '../../demo/sample-applications.js';
import { startRegisterSandbox } from './server.js';

// `npm run registers`: the register sandbox alone, for a standalone worker pointed at it with REGISTER_BASE_URL.
const { registerSandbox: s } = loadConfig();
const sandbox = await startRegisterSandbox({
  data: sampleRegisterData(),
  port: s.port,
  faults: { latencyMs: s.latencyMs, errorRate: s.errorRate, timeoutRate: s.timeoutRate },
});
console.log(`» register sandbox at ${sandbox.url} (population, vehicles, trade); Ctrl-C stops it`);
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await sandbox.stop();

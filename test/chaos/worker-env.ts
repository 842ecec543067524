import { join } from 'node:path';
import { DEMO_SEAL_PASSPHRASE } from '../../dev/demo-seal-keys.js';
import { freePort } from '../../dev/free-port.js';

/**
 * What a worker process of the chaos run or the kill test needs besides the outside systems' addresses, as the
 * production worker reads it: the demo seal keys the launcher made in `dataDir` as a SEAL_DIR, the launcher's
 * prebuilt workflow bundle, and a health port of its own.
 */
export async function workerProcessEnv(o: {
  dataDir: string;
  workflowBundle: string;
}): Promise<Record<string, string>> {
  const seals = join(o.dataDir, 'seal');
  return {
    DATA_DIR: o.dataDir,
    SEAL_DIR: seals,
    SEAL_P12_PASSPHRASE: DEMO_SEAL_PASSPHRASE,
    SEAL_TRUST_ANCHORS: join(seals, 'demo-ca.pem'),
    WORKFLOW_BUNDLE: o.workflowBundle,
    WORKER_HEALTH_PORT: String(await freePort()),
  };
}

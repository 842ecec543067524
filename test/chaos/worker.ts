// One worker process of the chaos run, on the development stack's adapters (configured by the launcher's environment).
import { NativeConnection } from '@temporalio/worker';
import { HttpPaymentProvider } from '../../adapters/payments-http.js';
import { activityDeps } from '../../app/adapters.js';
import { createCaseWorker } from '../../app/case-worker.js';
import { chatModelFrom } from '../../adapters/assistant/chat-client.js';
import { loadConfig } from '../../platform/config.js';
import { connectDatabase } from '../../db/client.js';
import { sealKeyStore } from '../../dev/demo-seal-keys.js';
import { engineRegisters } from '../../dev/engine.js';
import { openBlobStore } from '../../adapters/blob-store/index.js';
import { engineDataConverter } from '../../platform/codec/data-converter.js';
import { payloadKeyRing } from '../../platform/codec/keys.js';
import { killAfterEffect } from './kill-after-effect.js';

const config = loadConfig();
const database = connectDatabase(config.databaseUrl!);
const connection = await NativeConnection.connect({ address: config.temporalAddress! });
// Only the test of effects under kills sets these: the process SIGKILLs itself after a named activity's effect.
const killAfter = process.env['CHAOS_KILL_AFTER'];
const worker = await createCaseWorker({
  connection,
  namespace: config.temporalNamespace,
  taskQueue: config.taskQueue,
  ...(killAfter && {
    activityInterceptors: [killAfterEffect(new Set(killAfter.split(',')), process.env['CHAOS_KILL_MARKS']!)],
  }),
  // The launcher bundles the workflows once, so a restarted worker polls within seconds.
  workflowBundle: { codePath: process.env['CHAOS_WORKFLOW_BUNDLE']! },
  dataConverter: engineDataConverter(payloadKeyRing(config)),
  deps: activityDeps(config.dataDir, database.db, engineRegisters(config.registerBaseUrl!, config.registerTimeoutMs), {
    publicBaseUrl: config.publicBaseUrl,
    postboxUrl: config.postboxUrl,
    sealKeys: sealKeyStore(config),
    payments: {
      provider: new HttpPaymentProvider(config.paymentProviderUrl!),
      portalUrl: 'http://127.0.0.1',
      notifyUrl: 'http://127.0.0.1/payments/webhook',
    },
    model: chatModelFrom(config.assistant),
    forwardingUrl: config.forwardingUrl,
    blobs: openBlobStore(config.blobStore, database.db),
  }),
});
await worker.run();

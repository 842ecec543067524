// The outside systems the benchmark needs (registers, payment provider, postbox, timestamp authority, forwarding
// recipients), in a process of their own as they are in production, so the engine's process is measured alone.
// Started by bench/stand-ins.ts; prints their addresses as one JSON line and runs until its stdin closes.
import { createInterface } from 'node:readline';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import { startForwardingSandbox } from '../dev/stand-ins/forwarding/server.js';
import { startPaymentSandbox } from '../dev/stand-ins/payments/server.js';
import { startPostboxSandbox } from '../dev/stand-ins/postbox/server.js';
import { startRegisterSandbox } from '../dev/stand-ins/registers/server.js';
import { startTsaSandbox } from '../dev/stand-ins/tsa/server.js';
import { loadConfig } from '../platform/config.js';

const config = loadConfig();
const host = '127.0.0.1';
const registers = await startRegisterSandbox({
  data: sampleRegisterData(),
  port: 0,
  faults: { latencyMs: 0, errorRate: 0, timeoutRate: 0 },
});
const postbox = await startPostboxSandbox({ host, port: 0 });
const tsa = await startTsaSandbox({ host, port: 0 });
const payments = await startPaymentSandbox({
  port: 0,
  webhookSecret: config.paymentWebhookSecret,
  outcome: config.paymentSandboxOutcome,
  delayMs: 0,
});
const forwarding = await startForwardingSandbox({ host, port: 0 });
console.log(
  JSON.stringify({
    registers: registers.url,
    postbox: postbox.url,
    tsa: tsa.url,
    payments: payments.url,
    forwarding: forwarding.url,
  }),
);
for await (const _ of createInterface({ input: process.stdin })) {
  // Nothing is read: the parent closes stdin to stop the stand-ins.
}
await Promise.all([registers.stop(), postbox.stop(), tsa.stop(), payments.close(), forwarding.stop()]);

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { CaseClient } from '../client/case-client.js';
import { TaskClient } from '../client/task-client.js';
import { buildHttpApi } from '../http/http-api.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { startTracing, traceRequests } from '../platform/tracing.js';
import { createCaseWorker } from '../app/case-worker.js';
import { client, db, testDeps } from './harness.js';
import { idp, submitOverHttp, tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { eventually } from './support/wait.js';
import { testDataConverter } from './support/codec.js';

interface ExportedSpan {
  traceId: string;
  name: string;
}

/** An OTLP/HTTP receiver on a free loopback port that keeps every span it is sent. */
async function otlpReceiver() {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }>;
        };
        for (const rs of body.resourceSpans)
          for (const ss of rs.scopeSpans) spans.push(...ss.spans.map((s) => ({ traceId: s.traceId, name: s.name })));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, spans, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('traces across API, workflow and activities', () => {
  it('exports one trace from the intake request through the case workflow to its activities', {
    // API, worker and an OTLP receiver, one case end to end (14 s on loaded 2 cores).
    timeout: 90_000,
  }, async () => {
    const receiver = await otlpReceiver();
    const tracing = startTracing({ endpoint: receiver.endpoint, serviceName: 'ozg-case-engine-test' });
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const taskQueue = `tracing-${randomUUID()}`;
    try {
      const worker = await createCaseWorker({
        connection,
        namespace: 'default',
        taskQueue,
        deps: testDeps(),
        dataConverter: testDataConverter,
        plugins: [tracing.workerPlugin],
      });
      const traced = new Client({
        connection: client.connection,
        dataConverter: testDataConverter,
        interceptors: tracing.clientInterceptors,
      });
      const cases = new CaseClient(traced, db, taskQueue);
      const api = await buildHttpApi({
        cases,
        tasks: new TaskClient(traced, db),
        auth: jwtVerifier(tokens.keys, tokenAudience),
        identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
      });
      traceRequests(api, tracing.tracer);
      await worker.runUntil(async () => {
        const submitted = await submitOverHttp(api, applicationOf('resident', 13));
        expect(submitted.status).toBe(202);
        await cases.result((submitted.body as { caseId: string }).caseId);
      });
      await api.close();
      await tracing.shutdown();

      const intake = await eventually(
        async () => receiver.spans.find((s) => s.name === 'POST /cases'),
        'the intake span',
      );
      const trace = receiver.spans.filter((s) => s.traceId === intake.traceId).map((s) => s.name);
      expect(trace).toEqual(
        expect.arrayContaining(['POST /cases', 'StartWorkflow:caseWorkflow', 'RunWorkflow:caseWorkflow']),
      );
      expect(trace).toEqual(expect.arrayContaining(['RunActivity:fetchEvidence', 'RunActivity:archiveCase']));
    } finally {
      await connection.close();
      await receiver.stop();
    }
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { HttpRegisters, RegisterRefusedError, RegisterUnavailableError } from '../adapters/registers.js';
import { testDeps } from './harness.js';

// Registers that answer every request with one status.
const servers: Array<ReturnType<typeof createServer>> = [];
afterAll(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))));
async function registerAt(status: number): Promise<HttpRegisters> {
  const server = createServer((_req, res) => void res.writeHead(status).end());
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return new HttpRegisters({
    endpoints: { population: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    timeoutMs: 2_000,
  });
}
const query = { register: 'population', evidenceType: 'residence', subject: 'pseudonym-1', application: {} };

const bescheid = {
  caseId: '00000000-0000-4000-8000-000000000001',
  serviceKey: '99050012104000',
  authorityId: 'stadt-musterstadt',
  addressee: 'pseudonym-1',
  outcome: 'refused' as const,
  issuedAt: '2026-11-30T12:00:00.000Z',
};

describe('data an activity can never handle fails fast, typed and non-retryable', () => {
  const acts = createActivities(testDeps());
  const failureOf = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err as ApplicationFailure,
    );

  it('renders a Bescheid with letters beyond WinAnsi: its fonts are embedded Unicode fonts, so no text fails it', async () => {
    expect(
      await acts.renderBescheid({ ...bescheid, refusalReasons: ['Łukasz Wróbel: das Lastenrad fehlt.'] }),
    ).toMatchObject({
      mediaType: 'application/pdf',
    });
  });

  it('names an unknown service or authority instead of retrying', async () => {
    expect(await failureOf(acts.renderBescheid({ ...bescheid, serviceKey: '00000000000000' }))).toMatchObject({
      type: 'UnknownService',
      nonRetryable: true,
    });
    expect(
      await failureOf(
        acts.decideCase({
          caseId: bescheid.caseId,
          serviceKey: '00000000000000',
          ruleSetVersion: '1',
          application: {},
          evidence: [],
        }),
      ),
    ).toMatchObject({
      type: 'UnknownService',
      nonRetryable: true,
    });
    expect(
      await failureOf(
        acts.decideCase({
          caseId: bescheid.caseId,
          serviceKey: bescheid.serviceKey,
          ruleSetVersion: '999',
          application: {},
          evidence: [],
        }),
      ),
    ).toMatchObject({
      type: 'UnknownRuleSet',
      nonRetryable: true,
    });
    expect(await failureOf(acts.renderBescheid({ ...bescheid, authorityId: 'stadt-nirgendwo' }))).toBeInstanceOf(Error);
  });

  it("takes a register's 4xx as final and its 5xx, timeouts and 429 as worth retrying", async () => {
    for (const status of [400, 401, 403, 422])
      await expect((await registerAt(status)).lookup(query)).rejects.toBeInstanceOf(RegisterRefusedError);
    for (const status of [408, 429, 500, 503])
      await expect((await registerAt(status)).lookup(query)).rejects.toBeInstanceOf(RegisterUnavailableError);
    expect(await (await registerAt(404)).lookup(query)).toEqual({ status: 'not_found' });
  });
});

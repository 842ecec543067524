import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { CaseClient } from '../client/case-client.js';
import { EngineMetrics, startMetricsServer } from '../platform/metrics.js';
import { client, db, sdkMetricsUrl, testDeps, testApi, workerOn } from './harness.js';
import { applicationOf } from './samples.js';

/** One sample's value from Prometheus text, by metric name and exact labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2]!.split(',');
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

const closedApproved = async (serviceKey: string) =>
  (
    await db.execute<{ n: number }>(
      sql`select count(*)::int as n from cases where service_key = ${serviceKey} and status = 'closed' and outcome = 'approved'`,
    )
  )[0]!.n;

describe('metrics an operator scrapes', () => {
  it('counts this worker’s activities and register calls exactly, and the read models’ cases and tasks', async () => {
    const metrics = new EngineMetrics({ processMetrics: false });
    metrics.observeDatabase(db);
    metrics.sdkMetricsUrl = sdkMetricsUrl;
    const base = testDeps();
    const deps = { ...base, registers: metrics.measure(base.registers) };
    const taskQueue = `metrics-${randomUUID()}`;
    const worker = await workerOn(taskQueue, deps, { metrics });
    const cases = new CaseClient(client, db, taskQueue);
    const submitted = [applicationOf('resident', 11), applicationOf('resident', 12), applicationOf('other_zone', 3)];
    const results = await worker.runUntil(
      Promise.all(submitted.map(async (a) => cases.result((await cases.submit(a)).caseId))),
    );
    expect(results.map((r) => r.outcome)).toEqual(['approved', 'approved', 'rejected']);

    const api = await testApi(cases, { metrics });
    expect((await api.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await api.inject({ method: 'GET', url: `/cases/${results[0]!.caseId}` })).statusCode).toBe(401);

    const server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    try {
      const serviceKey = submitted[0]!.serviceKey;
      const before = await closedApproved(serviceKey);
      const res = await fetch(server.url);
      const after = await closedApproved(serviceKey);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();

      // Per process: exactly what this worker did.
      expect(sample(text, 'ozg_activity_duration_seconds_count', { activity: 'archiveCase', result: 'ok' })).toBe(3);
      expect(
        sample(text, 'ozg_activity_duration_seconds_count', { activity: 'deliverToApplicant', result: 'ok' }),
      ).toBe(3);
      const registerCalls = ['found', 'not_found', 'error'].reduce(
        (n, result) =>
          n +
          ['population', 'vehicles'].reduce(
            (m, register) => m + (sample(text, 'ozg_register_call_duration_seconds_count', { register, result }) ?? 0),
            0,
          ),
        0,
      );
      expect(registerCalls).toBeGreaterThanOrEqual(6);
      expect(sample(text, 'ozg_http_requests_total', { method: 'GET', route: '/health', status: '2xx' })).toBe(1);
      expect(sample(text, 'ozg_http_requests_total', { method: 'GET', route: '/cases/:caseId', status: '4xx' })).toBe(
        1,
      );

      // From the read models, shared with the other tests running now: between a count before and after the scrape.
      const authority = submitted[0]!.authorityId;
      const scraped = sample(text, 'ozg_cases', {
        service: serviceKey,
        authority,
        status: 'closed',
        outcome: 'approved',
      })!;
      expect(scraped).toBeGreaterThanOrEqual(Math.min(before, 2));
      expect(scraped).toBeLessThanOrEqual(after);

      // The Temporal SDK's own metrics come through the same endpoint.
      expect(text).toMatch(/^temporal_\w+/m);
      expect(text).not.toMatch(/Musterstraße|DE\d{20}/);
    } finally {
      await server.stop();
      await api.close();
    }
  });
});

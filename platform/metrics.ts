import { createServer, type Server } from 'node:http';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';

/** What {@link EngineMetrics.measure} times: a lookup by register name that answers with a status. */
export interface MeasuredLookups<Query extends { register: string }, Answer extends { status: string }> {
  lookup(query: Query): Promise<Answer>;
}

/**
 * The engine's own metrics, per process, in Prometheus' text format. Labels carry service keys, authority ids,
 * activity and register names, never personal data.
 */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly activities = new Histogram({
    name: 'ozg_activity_duration_seconds',
    help: 'Activity executions on this worker by activity type and result',
    labelNames: ['activity', 'result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly registerCalls = new Histogram({
    name: 'ozg_register_call_duration_seconds',
    help: 'Register lookups by register and result (found, not_found, error)',
    labelNames: ['register', 'result'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'ozg_http_requests_total',
    help: 'HTTP requests answered by this API process, by route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  /** Prometheus text of the Temporal SDK's own metrics, appended when the runtime exports them. */
  sdkMetricsUrl?: string;

  constructor(o: { processMetrics?: boolean } = {}) {
    if (o.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'ozg_process_' });
  }

  /** Counts read from the read models on each scrape: cases, open and overdue tasks, payments and manual deliveries. */
  observeDatabase(db: Database): void {
    const cases = new Gauge({
      name: 'ozg_cases',
      help: 'Cases by service, authority, status and outcome (from the cases read model)',
      labelNames: ['service', 'authority', 'status', 'outcome'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await db.execute<{
          service: string;
          authority: string;
          status: string;
          outcome: string | null;
          n: number;
        }>(
          sql`select service_key as service, authority_id as authority, status, outcome, count(*)::int as n from cases group by 1, 2, 3, 4`,
        );
        this.reset();
        for (const r of rows)
          this.set({ service: r.service, authority: r.authority, status: r.status, outcome: r.outcome ?? 'none' }, r.n);
      },
    });
    const tasks = new Gauge({
      name: 'ozg_tasks_open',
      help: 'Open or claimed case-worker tasks by authority, kind and whether they are overdue',
      labelNames: ['authority', 'kind', 'overdue'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await db.execute<{ authority: string; kind: string; overdue: boolean; n: number }>(
          sql`select authority_id as authority, kind, due_at < now() as overdue, count(*)::int as n from tasks where state in ('open', 'claimed') group by 1, 2, 3`,
        );
        this.reset();
        for (const r of rows) this.set({ authority: r.authority, kind: r.kind, overdue: String(r.overdue) }, r.n);
      },
    });
    const payments = new Gauge({
      name: 'ozg_payments',
      help: 'Payments by kind and status (failed and abandoned fees are what operators watch)',
      labelNames: ['kind', 'status'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await db.execute<{ kind: string; status: string; n: number }>(
          sql`select kind, status, count(*)::int as n from payments group by 1, 2`,
        );
        this.reset();
        for (const r of rows) this.set({ kind: r.kind, status: r.status }, r.n);
      },
    });
    void [cases, tasks, payments];
  }

  /** The activity interceptor the worker installs: every execution timed and counted by type and result. */
  activityInterceptor(): () => { inbound: ActivityInboundCallsInterceptor } {
    const histogram = this.activities;
    return () => ({
      inbound: {
        async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
          const activity = Context.current().info.activityType;
          const end = histogram.startTimer({ activity });
          try {
            const result = await next(input);
            end({ result: 'ok' });
            return result;
          } catch (err) {
            end({ result: 'error' });
            throw err;
          }
        },
      },
    });
  }

  /**
   * Registers whose every lookup is timed and counted. Typed by the shape it measures (the adapters' `Registers` is
   * one), because platform/ sits below adapters/ and imports nothing of it.
   */
  measure<Query extends { register: string }, Answer extends { status: string }>(
    registers: MeasuredLookups<Query, Answer>,
  ): MeasuredLookups<Query, Answer> {
    const calls = this.registerCalls;
    return {
      async lookup(q) {
        const end = calls.startTimer({ register: q.register });
        try {
          const answer = await registers.lookup(q);
          end({ result: answer.status });
          return answer;
        } catch (err) {
          end({ result: 'error' });
          throw err;
        }
      },
    };
  }

  async text(): Promise<string> {
    const own = await this.registry.metrics();
    if (!this.sdkMetricsUrl) return own;
    const sdk = await fetch(this.sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.text(),
      () => '',
    );
    return `${own}\n${sdk}`;
  }
}

/** `GET /metrics` on its own port, for Prometheus to scrape; nothing else is served there. */
export async function startMetricsServer(
  metrics: EngineMetrics,
  o: { host: string; port: number },
): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.port, o.host, resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://${o.host}:${port}/metrics`, stop: () => new Promise((r) => server.close(() => r())) };
}

/**
 * The Temporal SDK's own Prometheus exporter (worker slots, poll latency, workflow task and activity latencies) on the
 * port after METRICS_PORT, loopback only; the process's /metrics appends what it serves.
 */
export function sdkTelemetry(metricsPort: number | undefined): {
  options?: { metrics: { prometheus: { bindAddress: string } } };
  url?: string;
} {
  if (metricsPort === undefined) return {};
  const bindAddress = `127.0.0.1:${metricsPort === 0 ? 0 : metricsPort + 1}`;
  return { options: { metrics: { prometheus: { bindAddress } } }, url: `http://${bindAddress}/metrics` };
}

import type { Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import postgres from 'postgres';

export type Probe = () => Promise<void>;

/** Readiness of PostgreSQL: one `select 1` on a small pool of its own, so a busy app pool does not mask it. */
export function databaseProbe(url: string): { probe: Probe; close(): Promise<void> } {
  const sql = postgres(url, { max: 1, connect_timeout: 5, idle_timeout: 30, onnotice: () => {} });
  return { probe: async () => void (await sql`select 1`), close: () => sql.end({ timeout: 1 }) };
}

/** Readiness of Temporal: the frontend's own health check. */
export const temporalProbe =
  (connection: Connection): Probe =>
  async () => {
    const res = await connection.withDeadline(Date.now() + 3_000, () => connection.healthService.check({}));
    if (res.status !== 1 /* SERVING */) throw new Error(`Temporal frontend not serving (status ${res.status})`);
  };

/** `/livez` (the process answers) and `/readyz` (every dependency answers; 503 naming the failing ones). */
export function addHealthRoutes(
  app: FastifyInstance,
  probes: Record<string, Probe>,
  extra: () => Record<string, unknown> = () => ({}),
): void {
  // Probes for the orchestrator, not part of the API's OpenAPI document; their answers still have a schema.
  const live = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };
  const ready = {
    type: 'object',
    required: ['status', 'checks'],
    additionalProperties: true,
    properties: {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      checks: { type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'failing'] } },
    },
  };
  app.get('/livez', { config: { access: 'public' }, schema: { hide: true, response: { 200: live } } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: { hide: true, response: { 200: ready, 503: ready } },
    },
    async (_req, reply) => {
      const checks = Object.fromEntries(
        await Promise.all(
          Object.entries(probes).map(
            async ([name, probe]) =>
              [
                name,
                await probe().then(
                  () => 'ok',
                  () => 'failing',
                ),
              ] as const,
          ),
        ),
      );
      const ready = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks, ...extra() });
    },
  );
}

/** A tiny health server for a process without an HTTP API (the worker). */
export async function startHealthServer(o: {
  host: string;
  port: number;
  probes: Record<string, Probe>;
  extra?: () => Record<string, unknown>;
}) {
  const app = Fastify({ logger: false });
  addHealthRoutes(app, o.probes, o.extra);
  await app.listen({ host: o.host, port: o.port });
  const { port } = app.server.address() as { port: number };
  return { url: `http://${o.host}:${port}`, stop: () => app.close() };
}

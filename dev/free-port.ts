import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: the operating system picks it, the probe closes it. For
 * the development stack, scripts, benchmarks and tests that start servers beside others (another process may still
 * take the port before it is used; good enough where a clash only fails a run).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The port settings of the development stack: each server it may start listens on one of these. */
export const DEV_STACK_PORTS = [
  'HTTP_PORT',
  'IDP_PORT',
  'POSTBOX_SANDBOX_PORT',
  'TSA_SANDBOX_PORT',
  'FORWARDING_SANDBOX_PORT',
  'REGISTER_SANDBOX_PORT',
  'PAYMENT_SANDBOX_PORT',
  'FIT_CONNECT_SANDBOX_PORT',
  'CODEC_SERVER_PORT',
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'EMBEDDED_PG_PORT',
] as const;

/** The environment with a free port for every server of the development stack, so it runs beside a demo. */
export async function withFreeDevPorts(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const ports: NodeJS.ProcessEnv = {};
  for (const p of DEV_STACK_PORTS) ports[p] = String(await freePort());
  return { ...env, ...ports };
}

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

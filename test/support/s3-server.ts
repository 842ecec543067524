import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eventually } from './wait.js';

const motoServer = fileURLToPath(new URL('../../.tools/s3/bin/moto_server', import.meta.url));

/** moto's S3-compatible server on a free loopback port, installed by `npm test`'s setup; stopped by the returned function. */
export async function startS3Server(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  if (!existsSync(motoServer))
    throw new Error(`no S3 test server at ${motoServer}: run \`npm test\` (its setup installs it)`);
  const port = await new Promise<number>((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => res(p));
    });
  });
  const proc = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await eventually(
    () =>
      fetch(endpoint).then(
        () => true,
        () => undefined,
      ),
    'the S3 test server',
    30_000,
  );
  return {
    endpoint,
    stop: () =>
      new Promise<void>((res) => (proc.exitCode !== null ? res() : (proc.once('exit', () => res()), proc.kill()))),
  };
}

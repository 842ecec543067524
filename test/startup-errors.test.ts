import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../platform/config.js';
import { assertDatabaseReachable } from '../platform/database.js';
import { StartupError } from '../platform/startup-error.js';
import { connectTemporal, ensureSearchAttributes } from '../platform/temporal.js';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts/search-attributes.js';
import { startTemporalDevServer } from '../dev/temporal-dev-server.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function expectStartupError(p: Promise<unknown>): Promise<StartupError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  return err as StartupError;
}

describe('start-up failures say what was tried and how to fix it', () => {
  it('names the Temporal address that could not be reached', async () => {
    const port = await closedPort();
    const err = await expectStartupError(connectTemporal(`127.0.0.1:${port}`, { timeoutMs: 2000 }));
    expect(err.message).toBe(`Cannot reach the Temporal server at 127.0.0.1:${port}.`);
    expect(err.hint).toMatch(/temporal server start-dev|TEMPORAL_ADDRESS/);
  });

  it('names the PostgreSQL host, port and database that could not be reached', async () => {
    const port = await closedPort();
    const err = await expectStartupError(assertDatabaseReachable(`postgres://postgres@127.0.0.1:${port}/engine`));
    expect(err.message).toMatch(new RegExp(`^Cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}/engine`));
    expect(err.hint).toMatch(/DATABASE_URL/);
  });

  it('points to the setup command when the Temporal CLI is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ozg-no-cli-'));
    const err = await expectStartupError(
      startTemporalDevServer({
        cli: join(dir, 'temporal'),
        port: await closedPort(),
        uiPort: false,
        logFile: join(dir, 'log'),
      }),
    );
    expect(err.hint).toMatch(/npm run setup/);
  });

  it('refuses to start a dev server on a port that is taken, and suggests TEMPORAL_ADDRESS', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as { port: number };
    try {
      const err = await expectStartupError(
        startTemporalDevServer({
          cli: loadConfig().temporalCli,
          port,
          uiPort: false,
          logFile: join(tmpdir(), `ozg-${port}.log`),
        }),
      );
      expect(err.hint).toContain(`TEMPORAL_ADDRESS=127.0.0.1:${port}`);
    } finally {
      srv.close();
    }
  });

  it('rejects a bad setting with the variable name', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
    expect(loadConfig({ HTTP_PORT: '', TEMPORAL_PORT: '7300' })).toMatchObject({ httpPort: 8080, temporalPort: 7300 });
  });
});

describe('a Temporal server the engine did not start (TEMPORAL_ADDRESS)', () => {
  it("gets the engine's search attributes registered, as Keyword, once however often the engine starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ozg-cluster-'));
    const server = await startTemporalDevServer({
      cli: loadConfig().temporalCli,
      port: await closedPort(),
      uiPort: false,
      logFile: join(dir, 'log'),
      searchAttributes: false,
    });
    try {
      const list = async () =>
        (await server.connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {};
      expect(Object.keys(await list())).not.toContain('CaseId');
      await ensureSearchAttributes(server.connection, 'default');
      await ensureSearchAttributes(server.connection, 'default');
      const attrs = await list();
      for (const key of SEARCH_ATTRIBUTES) expect(attrs[key.name]).toBe(2); // INDEXED_VALUE_TYPE_KEYWORD
    } finally {
      await server.stop();
    }
  });
});

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// A project that depends on the engine and its client, as an installed package would be linked.
const consumer = mkdtempSync(join(tmpdir(), 'engine-consumer-'));
mkdirSync(join(consumer, 'node_modules', '@ozg-case-engine'), { recursive: true });
symlinkSync(repoRoot, join(consumer, 'node_modules', 'ozg-case-engine'), 'dir');
symlinkSync(join(repoRoot, 'client', 'http'), join(consumer, 'node_modules', '@ozg-case-engine', 'client'), 'dir');
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

/** Plain node, no tsx and no source condition: only what `npm run build` produced can answer. */
const node = (file: string, source: string) => {
  writeFileSync(join(consumer, file), source);
  return run(process.execPath, [file], { cwd: consumer, env: { ...process.env, NODE_OPTIONS: '' } });
};

beforeAll(async () => {
  await run(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot });
}, 180_000); // tsc over the whole package and the workflow bundle

describe('npm run build: the public API as JavaScript with types', () => {
  it('points every export at built JavaScript with its declarations', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; import: string }>;
    };
    const client = JSON.parse(readFileSync(join(repoRoot, 'client/http/package.json'), 'utf8')) as typeof pkg;
    const targets = [
      ...Object.values(pkg.exports).map((e) => [repoRoot, e] as const),
      ...Object.values(client.exports).map((e) => [join(repoRoot, 'client/http'), e] as const),
    ].filter((t): t is readonly [string, { types: string; import: string }] => typeof t[1] !== 'string');
    expect(targets.length).toBe(5);
    for (const [root, e] of targets) {
      expect(Object.keys(e)).toEqual(['ozg-source', 'types', 'import']);
      expect(e.import).toMatch(/^\.\/dist\/.*\.js$/);
      expect(existsSync(join(root, e.import)), e.import).toBe(true);
      expect(existsSync(join(root, e.types)), e.types).toBe(true);
    }
  });

  it('imports with plain node: defines and validates a service, starts nothing it is not asked to; the client builds and calls', async () => {
    const { stdout } = await node(
      'check.mjs',
      `import { defineService } from 'ozg-case-engine/service';
import { defineExtensions } from 'ozg-case-engine/extensions';
import { loadServiceFolder, runExample, startWorker, startApi, createCaseWorker, buildHttpApi } from 'ozg-case-engine';
import { createCaseEngineClient } from '@ozg-case-engine/client';
import { createCaseEngineClient as viaEngine } from 'ozg-case-engine/client';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const service = defineService({ key: '99777000000009', name: 'Probe' });
const ext = defineExtensions({ steps: {} });
const sample = fileURLToPath(import.meta.resolve('ozg-case-engine/package.json')).replace(/package\\.json$/, 'dist/services/samples/anwohnerparken');
const loaded = await loadServiceFolder(sample, { knownRegisters: ['population', 'vehicles', 'trade', 'uploads', 'gzr', 'permits'], knownStepActivities: [] });
const runs = await Promise.all(loaded.examples.map((ex) => runExample(loaded.service, ex)));

const server = createServer((req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ status: 'ok', path: req.url })));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const api = createCaseEngineClient('http://127.0.0.1:' + server.address().port);
const health = await api.GET('/health');
server.close();

console.log(JSON.stringify({
  service: service.key,
  ext: typeof ext.steps,
  functions: [startWorker, startApi, createCaseWorker, buildHttpApi, viaEngine].map((f) => typeof f),
  examples: runs.map((r) => r.name + ':' + r.ok),
  health: health.data,
  built: import.meta.resolve('ozg-case-engine/service'),
}));`,
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({
      service: '99777000000009',
      ext: 'object',
      functions: ['function', 'function', 'function', 'function', 'function'],
      health: { status: 'ok', path: '/health' },
    });
    expect(out['built']).toMatch(/\/dist\/services\/define-service\.js$/);
    expect((out['examples'] as string[]).length).toBeGreaterThan(2);
    expect(out['examples']).toEqual((out['examples'] as string[]).map((e) => e.replace(/:.*/, ':true')));
  });
});

import { describe, expect, it } from 'vitest';
import { importGraph, PRODUCTION_ENTRIES, runtimeImports } from './support/import-graph.js';

/** Stand-ins that trust everyone or answer from seeds: development only. */
// Everything development-only lives in dev/ (stand-ins, demo, embedded servers, local identity provider); tests beside.
const DEVELOPMENT_ONLY = [/^dev\//, /^test\//, /^bench\//, /^scripts\//];

describe('production entry points cannot reach the development stack', () => {
  const graph = importGraph(PRODUCTION_ENTRIES);

  it('import no sandbox, local identity provider, local token issuer, embedded server, seed, demo CA or demo bot', () => {
    const offending = [...graph]
      .filter(([file]) => DEVELOPMENT_ONLY.some((p) => p.test(file)))
      .map(([file, by]) => `${file} (imported by ${by})`);
    expect(offending).toEqual([]);
    // The walk itself is real: it reaches the production wiring and the workers' activities.
    expect([...graph.keys()]).toEqual(
      expect.arrayContaining([
        'app/api.ts',
        'app/worker-process.ts',
        'app/case-worker.ts',
        'activities/index.ts',
        'http/http-api.ts',
      ]),
    );
  });

  it('the walk would notice a development import (the demo entry reaches the embedded stack)', () => {
    const demo = importGraph(['dev/demo/main.ts']);
    expect([...demo.keys()]).toEqual(
      expect.arrayContaining([
        'dev/engine.ts',
        'dev/seeded-registers.ts',
        'dev/demo-seal-keys.ts',
        'dev/stand-ins/payments/server.ts',
        'dev/identity/local-identity-provider.ts',
      ]),
    );
  });

  it('no two modules import each other', () => {
    const all = importGraph([...PRODUCTION_ENTRIES, 'dev/demo/main.ts']);
    const edges = new Map<string, string[]>();
    for (const file of all.keys()) edges.set(file, runtimeImports(file));
    const mutual = [...edges].flatMap(([a, targets]) =>
      targets.filter((b) => a < b && edges.get(b)?.includes(a)).map((b) => `${a} <-> ${b}`),
    );
    expect(mutual).toEqual([]);
  });
});

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  architectureFile,
  cruisedPaths,
  dependencyRules,
  formattedArchitecture,
  sourceLayers,
} from '../scripts/architecture.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Cruises `paths` under `baseDir` with the project's own configuration, as `npm run lint:deps` does. */
async function depcruise(baseDir: string, paths: string[]): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(join(root, 'tsconfig.json'));
  // Modules are named relative to baseDir, as the rules' paths (`^db/`) expect.
  const { output } = await cruise(paths, { ...options, baseDir }, {}, { tsConfig });
  if (typeof output === 'string') throw new Error(`expected a cruise result, got ${output.slice(0, 200)}`);
  return output;
}

/** Each violation as `rule: from → to` (a cycle as its ring), sorted. */
const violationsOf = (result: ICruiseResult) =>
  result.summary.violations
    .map((v) =>
      v.cycle?.length
        ? `${v.rule.name}: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')}`
        : `${v.rule.name}: ${v.from} → ${v.to}`,
    )
    .sort();

describe('the dependency rules (.dependency-cruiser.cjs)', () => {
  it('the real tree keeps them', async () => {
    const result = await depcruise(root, cruisedPaths);
    expect(violationsOf(result)).toEqual([]);
    // The cruise is real: it resolved the TypeScript sources (`./x.js` → x.ts) across the layers and saw
    // `import type` (the workflows' one exception) as type-only.
    const sources = result.modules.map((m) => m.source);
    expect(sources).toEqual(
      expect.arrayContaining([
        'workflows/case-workflow.ts',
        'activities/index.ts',
        'app/api.ts',
        'http/http-api.ts',
        'dev/engine.ts',
        'worker.ts',
      ]),
    );
    const proxies = result.modules.find((m) => m.source === 'workflows/activity-proxies.ts');
    expect(proxies?.dependencies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resolved: 'activities/index.ts',
          dependencyTypes: expect.arrayContaining(['type-only']),
        }),
      ]),
    );
    expect(result.summary.totalCruised).toBeGreaterThan(300);
  });

  it('`npm run lint:deps` cruises every layer, the development stack and the tooling', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['lint:deps']).toBe(`depcruise --config .dependency-cruiser.cjs ${cruisedPaths.join(' ')}`);
    expect(pkg.scripts['lint']).toContain('npm run lint:deps');
  });

  describe('a throwaway tree with one violation of each kind', () => {
    let dir: string;
    let violations: string[];
    const tree: Record<string, string> = {
      // A cycle inside one layer.
      'services/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'services/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      // An upward import: the database layer reaching for the HTTP server.
      'db/queries.ts': "import { server } from '../http/server.js';\nexport const q = server;\n",
      'http/server.ts': 'export const server = 1;\n',
      // Production code reaching the development stack, by value and by type alike.
      'platform/codec.ts': "import { demoKey } from '../dev/demo-keys.js';\nexport const key = demoKey;\n",
      'adapters/postbox.ts': "import type { Receipt } from '../dev/stand-in.js';\nexport type R = Receipt;\n",
      'dev/demo-keys.ts': 'export const demoKey = 1;\n',
      'dev/stand-in.ts': 'export interface Receipt {\n  id: string;\n}\n',
      // The workflows: type-only from any layer is the Temporal pattern; a value import from above is not.
      'workflows/typed.ts':
        "import type { Activities } from '../activities/index.js';\nexport type A = Activities;\n" +
        "export const t: typeof import('../activities/index.js') | undefined = undefined;\n",
      'workflows/wrong.ts': "import { activities } from '../activities/index.js';\nexport const w = activities;\n",
      'workflows/heavy.ts':
        "import { readFileSync } from 'node:fs';\nimport { sql } from 'drizzle-orm';\nexport const h = [readFileSync, sql];\n",
      'activities/index.ts': 'export interface Activities {\n  x(): void;\n}\nexport const activities = {};\n',
      'node_modules/drizzle-orm/package.json': '{ "name": "drizzle-orm", "version": "0.0.0", "main": "index.js" }\n',
      'node_modules/drizzle-orm/index.js': 'exports.sql = 1;\n',
      // The generated HTTP client imports nothing of the engine.
      'client/http/index.ts': "import type { A } from '../../workflows/typed.js';\nexport type Client = A;\n",
      // Allowed: downward imports, the composition root reaching everything, development and tests reaching anything.
      'app/root.ts':
        "import { q } from '../db/queries.js';\nimport { server } from '../http/server.js';\nexport const r = [q, server];\n",
      'dev/engine.ts': "import { r } from '../app/root.js';\nexport const e = r;\n",
      'test/engine.test.ts': "import { e } from '../dev/engine.js';\nexport const t = e;\n",
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dependency-rules-'));
      for (const [file, text] of Object.entries(tree)) {
        await mkdir(dirname(join(dir, file)), { recursive: true });
        await writeFile(join(dir, file), text);
      }
      const paths = Object.keys(tree).filter((file) => !file.startsWith('node_modules/'));
      violations = violationsOf(await depcruise(dir, paths));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports a cycle as no-circular', () => {
      expect(violations.filter((v) => v.startsWith('no-circular:'))).toEqual([
        'no-circular: services/a.ts → services/b.ts → services/a.ts',
      ]);
    });

    it('reports an upward import by the lower layer’s rule', () => {
      expect(violations.filter((v) => v.startsWith('layer-db:'))).toEqual(['layer-db: db/queries.ts → http/server.ts']);
    });

    it('reports production code that imports the development stack, even for a type', () => {
      expect(violations.filter((v) => v.startsWith('no-development-code-in-source:'))).toEqual([
        'no-development-code-in-source: adapters/postbox.ts → dev/stand-in.ts',
        'no-development-code-in-source: platform/codec.ts → dev/demo-keys.ts',
      ]);
    });

    it('lets the workflows import types from any layer, but no values, Node.js built-ins or heavy packages', () => {
      expect(violations.filter((v) => v.startsWith('workflows-') || v.startsWith('layer-workflows:'))).toEqual([
        'layer-workflows: workflows/wrong.ts → activities/index.ts',
        'workflows-no-heavy-packages: workflows/heavy.ts → node_modules/drizzle-orm/index.js',
        'workflows-no-node-builtins: workflows/heavy.ts → fs',
      ]);
    });

    it('keeps the generated HTTP client free of engine code', () => {
      expect(violations.filter((v) => v.startsWith('client-http-'))).toEqual([
        'client-http-imports-no-engine-code: client/http/index.ts → workflows/typed.ts',
      ]);
    });

    it('reports nothing else: the allowed imports stay allowed', () => {
      expect(violations).toHaveLength(8);
      // Every rule has bitten at least once here, except the upward rules of layers this tree does not break.
      const bitten = new Set(violations.map((v) => v.split(':')[0]));
      const upward = sourceLayers.slice(0, -1).map((layer) => `layer-${layer.name}`);
      expect(dependencyRules.map((r) => r.name).filter((name) => !bitten.has(name) && !upward.includes(name))).toEqual(
        [],
      );
    });
  });
});

describe('docs/architecture.md', () => {
  it('is generated from the same layers as the rules (`npm run docs:architecture`)', async () => {
    const written = await readFile(architectureFile, 'utf8');
    expect(written).toBe(formattedArchitecture());
    for (const layer of sourceLayers) expect(written).toMatch(new RegExp(`\\| ${layer.name} +\\|`));
    for (const rule of dependencyRules) expect(written).toContain(`\`${rule.name}\``);
  });
});

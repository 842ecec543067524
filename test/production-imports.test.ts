import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The production entry points: what a container runs. */
const PRODUCTION_ENTRIES = ['api.ts', 'worker.ts', 'migrate.ts'];
/** Stand-ins that trust everyone or answer from seeds: development only. */
const DEVELOPMENT_ONLY = [
  /^dev\//,
  /^sandbox\//,
  /^demo\//,
  /^test\//,
  /^identity\/local-identity-provider\.ts$/,
  /^auth\/local-issuer\.ts$/,
  /^infra\/embedded-postgres\.ts$/,
  /^infra\/temporal-dev-server\.ts$/,
  /^main\.ts$/,
];

/** Relative modules a file loads at run time: static and dynamic imports and re-exports; `import type` is erased. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(resolve(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const typeOnly = (clause: ts.ImportClause | undefined) =>
    clause?.isTypeOnly || (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !typeOnly(node.importClause) && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((f) => f.startsWith('.')).map((f) => relative(root, resolve(root, dirname(file), f.replace(/\.js$/, '.ts'))));
}

/** Every project file reachable from `entries` through static or dynamic imports, with who imported it first. */
function importGraph(entries: string[]): Map<string, string> {
  const seen = new Map<string, string>(entries.map((e) => [e, '(entry)']));
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of runtimeImports(file)) {
      if (!existsSync(resolve(root, target))) throw new Error(`${file} imports ${target}, which does not exist`);
      if (!seen.has(target)) {
        seen.set(target, file);
        queue.push(target);
      }
    }
  }
  return seen;
}

describe('production entry points cannot reach the development stack', () => {
  const graph = importGraph(PRODUCTION_ENTRIES);

  it('import no sandbox, local identity provider, local token issuer, embedded server, seed, demo CA or demo bot', () => {
    const offending = [...graph].filter(([file]) => DEVELOPMENT_ONLY.some((p) => p.test(file))).map(([file, by]) => `${file} (imported by ${by})`);
    expect(offending).toEqual([]);
    // The walk itself is real: it reaches the production wiring and the workers' activities.
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['app/api.ts', 'app/worker-process.ts', 'app/case-worker.ts', 'activities/index.ts', 'client/http-api.ts']));
  });

  it('the walk would notice a development import (the demo entry reaches the embedded stack)', () => {
    const demo = importGraph(['main.ts']);
    expect([...demo.keys()]).toEqual(expect.arrayContaining(['dev/engine.ts', 'dev/seeded-registers.ts', 'dev/demo-seal-keys.ts', 'sandbox/payments/server.ts', 'identity/local-identity-provider.ts']));
  });

  it('no two modules import each other', () => {
    const all = importGraph([...PRODUCTION_ENTRIES, 'main.ts']);
    const edges = new Map<string, string[]>();
    for (const file of all.keys()) edges.set(file, runtimeImports(file));
    const mutual = [...edges].flatMap(([a, targets]) => targets.filter((b) => a < b && edges.get(b)?.includes(a)).map((b) => `${a} <-> ${b}`));
    expect(mutual).toEqual([]);
  });
});

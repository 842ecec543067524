import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The production entry points: what a container runs. */
export const PRODUCTION_ENTRIES = ['api.ts', 'worker.ts', 'migrate.ts'];

/** Relative modules a file loads at run time: static and dynamic imports and re-exports; `import type` is erased. */
export function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(resolve(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const typeOnly = (clause: ts.ImportClause | undefined) =>
    clause?.isTypeOnly ||
    (clause &&
      !clause.name &&
      clause.namedBindings &&
      ts.isNamedImports(clause.namedBindings) &&
      clause.namedBindings.elements.length > 0 &&
      clause.namedBindings.elements.every((e) => e.isTypeOnly));
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !typeOnly(node.importClause) && ts.isStringLiteral(node.moduleSpecifier))
      found.push(node.moduleSpecifier.text);
    if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier.text);
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found
    .filter((f) => f.startsWith('.'))
    .map((f) => relative(root, resolve(root, dirname(file), f.replace(/\.js$/, '.ts'))));
}

/** Every project file reachable from `entries` through static or dynamic imports, with who imported it first. */
export function importGraph(entries: string[]): Map<string, string> {
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

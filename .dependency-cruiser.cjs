// The import rules between the layers, enforced in CI (`npm run lint` runs `npm run lint:deps`).
//
// Why: the top-level folders are the layers (STYLE.md habits 2 and 15, DESIGN.md "One composition root"). A layer that
// imports a higher one drags the higher one's dependencies into it: a workflow that imports an adapter pulls pdfkit or
// postgres into the deterministic workflow bundle, a query that imports the HTTP server cannot be used by the worker
// without Fastify, and production code that imports dev/ ships a stand-in that trusts everyone. Cycles make the load
// order (and therefore the behaviour) depend on which file was imported first.
//
// The layers themselves (names, folders, what each holds) live in scripts/architecture-layers.json, which
// scripts/architecture.ts also reads to write docs/architecture.md: the rules and their description cannot drift.
// test/dependency-rules.test.ts shows that every rule here reports a deliberate violation.

/** @typedef {{ name: string, folders: string[], files?: string[], holds: string, typeOnlyFromAnyLayer?: boolean,
 *   forbiddenPackages?: string[], developmentOnly?: boolean, isolated?: { folder: string, why: string }[] }} Layer */

/** @type {{ layers: Layer[], tooling: Layer[] }} */
const architecture = require('./scripts/architecture-layers.json');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The path patterns (relative to the repository root, as dependency-cruiser reports them) of some layers. */
const pathsOf = (layers) =>
  layers.flatMap((layer) => [
    ...layer.folders.map((folder) => `^${escapeRegExp(folder)}/`),
    ...(layer.files ?? []).map((file) => `^${escapeRegExp(file)}$`),
  ]);

const sourceLayers = architecture.layers.filter((layer) => !layer.developmentOnly);
const developmentLayers = architecture.layers.filter((layer) => layer.developmentOnly);
/** Everything the engine's own code is made of: the source layers, the development stack and the tooling folders. */
const engine = pathsOf([...architecture.layers, ...architecture.tooling]);

// Type-only imports (`import type`, `import { type X }`, `typeof import('…')`) vanish when TypeScript compiles: the
// workflows may use them to name the activities' types (the Temporal pattern) without loading them.
const typeOnly = ['type-only', 'type-import'];

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment:
      'No two modules import each other, directly or around a ring (STYLE.md habit 15): a cycle makes the load order ' +
      'decide which module sees the other half-initialised. Type-only imports count too (file level): move the shared ' +
      'piece, or the shared type, down to a module both can import.',
    from: {},
    to: { circular: true },
  },

  // One rule per source layer: it may import its own layer and the ones below, never one above.
  // (The top layer, with nothing above it, has no such rule.)
  ...sourceLayers.slice(0, -1).map((layer, index) => {
    const higher = sourceLayers.slice(index + 1);
    return {
      name: `layer-${layer.name}`,
      severity: 'error',
      comment:
        `${layer.name} (layer ${index + 1}) imports only its own layer and lower ones, never ` +
        `${higher.map((h) => h.name).join(', ')}: a lower layer must work without the higher layers' dependencies.` +
        (layer.typeOnlyFromAnyLayer
          ? ' Type-only imports from any layer are allowed: they do not reach the workflow bundle.'
          : ''),
      from: { path: pathsOf([layer]) },
      to: {
        path: pathsOf(higher),
        ...(layer.typeOnlyFromAnyLayer ? { dependencyTypesNot: typeOnly } : {}),
      },
    };
  }),

  // The workflow bundle runs in Temporal's deterministic sandbox: no database driver, no PDF writer, no rules engine,
  // no Node.js built-ins (STYLE.md habit 2). The layer rule keeps the workflows' own imports inside workflows/; these
  // keep npm packages and Node.js modules out.
  ...sourceLayers
    .filter((layer) => layer.forbiddenPackages)
    .flatMap((layer) => [
      {
        name: `${layer.name}-no-heavy-packages`,
        severity: 'error',
        comment: `The ${layer.name} bundle must never pull in ${layer.forbiddenPackages.join(', ')}.`,
        from: { path: pathsOf([layer]) },
        to: {
          path: `(^|/)node_modules/(${layer.forbiddenPackages.map(escapeRegExp).join('|')})/`,
          dependencyTypesNot: typeOnly,
        },
      },
      {
        name: `${layer.name}-no-node-builtins`,
        severity: 'error',
        comment: `The ${layer.name} bundle runs in Temporal's sandbox, where Node.js built-in modules do not exist.`,
        from: { path: pathsOf([layer]) },
        to: { dependencyTypes: ['core'], dependencyTypesNot: typeOnly },
      },
    ]),

  {
    name: 'no-development-code-in-source',
    severity: 'error',
    comment:
      'Production code cannot reach the development stack (STYLE.md habit 15): the stand-ins trust everyone and ' +
      'answer from seeds, the demo keys are public. Development passes what it needs into the composition root. ' +
      'The tests, benchmarks and scripts are not shipped either. Type-only imports count too: a type that both ' +
      'sides share belongs in the lower (production) layer.',
    from: { path: pathsOf(sourceLayers) },
    to: { path: pathsOf([...developmentLayers, ...architecture.tooling]) },
  },

  // A folder published on its own (the generated HTTP client) imports nothing of the engine.
  ...sourceLayers.flatMap((layer) =>
    (layer.isolated ?? []).map(({ folder, why }) => ({
      name: `${folder.replaceAll('/', '-')}-imports-no-engine-code`,
      severity: 'error',
      comment: `${folder}/ imports only itself and npm packages: ${why}.`,
      from: { path: `^${escapeRegExp(folder)}/` },
      to: { path: engine, pathNot: `^${escapeRegExp(folder)}/` },
    })),
  ),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    // Built files, local data and downloaded tools are not source. (Not node_modules: the rules must see which
    // packages a layer imports.)
    exclude: { path: '(^|/)(dist|\\.data|\\.tools)/' },
    // npm packages are leaves: their own imports are not ours to judge.
    doNotFollow: { path: '(^|/)node_modules/' },
    // See `import type` (which the compiled JavaScript no longer has), so the type-only exception and the rule that
    // production code does not even name a development type can both be checked.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    // Resolve `ozg-case-engine/*` self-imports to the sources, as tsx and vitest do.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['ozg-source', 'import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

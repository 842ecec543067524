// `npm run build`: JavaScript with type declarations in dist/ (tsc), plus the data the engine reads at run time
// (migrations, the samples' folders), and client/http/dist for the typed HTTP client on its own.
// package.json `exports` point at these files (`types`/`import`); the repository's own scripts and tests resolve the
// TypeScript sources instead through the `ozg-source` condition, so a fresh clone runs without a build.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
rmSync('client/http/dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('db/migrations', 'dist/db/migrations', { recursive: true });
cpSync('adapters/fit-connect/schemas', 'dist/adapters/fit-connect/schemas', { recursive: true });
cpSync('services/samples', 'dist/services/samples', { recursive: true, filter: (src) => !src.endsWith('.ts') });
// Files the engine reads next to its modules: rule sets and their release manifest, FIM schemas, the workbench's CSS.
cpSync('rules', 'dist/rules', { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith('.ts') });
cpSync('services/fim', 'dist/services/fim', { recursive: true });
cpSync('http/workbench/assets', 'dist/http/workbench/assets', { recursive: true });
// The client's generated types are a declaration file already; tsc does not copy those.
cpSync('client/http/schema.d.ts', 'dist/client/http/schema.d.ts');
mkdirSync('client/http/dist', { recursive: true });
for (const f of ['index.js', 'index.d.ts', 'schema.d.ts']) cpSync(`dist/client/http/${f}`, `client/http/dist/${f}`);
// The workflows as one bundle, for workers started with WORKFLOW_BUNDLE=dist/workflow-bundle.js (no webpack at start-up).
// The same function `npm run bundle:workflows` runs, from the JavaScript just built.
const { bundleWorkflows } = await import('../dist/app/workflow-bundle.js');
writeFileSync('dist/workflow-bundle.js', await bundleWorkflows());
console.log(
  '✓ dist/ built: node dist/dev/demo/main.js runs the demo, node dist/worker.js a worker (WORKFLOW_BUNDLE=dist/workflow-bundle.js: no bundling at start-up), without tsx',
);

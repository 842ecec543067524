// `npm run build`: JavaScript in dist/ (tsc), plus the data the engine reads at run time: migrations and the samples' folders.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('db/migrations', 'dist/db/migrations', { recursive: true });
cpSync('adapters/fit-connect/metadata.schema.json', 'dist/adapters/fit-connect/metadata.schema.json');
cpSync('services/samples', 'dist/services/samples', { recursive: true, filter: (src) => !src.endsWith('.ts') });
console.log('✓ dist/ built: node dist/main.js runs the demo, node dist/worker.js a worker, without tsx');

import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scaffoldService } from '../services/scaffold.js';

/** `npm run service:new -- <name> [--dir <folder>] [--key <14 digits>]`: a new service folder, ready for service:check. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: 'string', default: 'services' }, key: { type: 'string' } },
  });
  const name = positionals[0];
  if (!name) throw new Error('usage: npm run service:new -- <name> [--dir <folder>] [--key <14-digit service key>]');
  const folder = await scaffoldService({ name, dir: values.dir!, key: values.key });
  console.log(`✓ service ${name} scaffolded in ${folder}`);
  // The next steps, as docs/add-a-service.md shows them: the team's folder has the engine as its dependency.
  const engine = fileURLToPath(new URL('..', import.meta.url));
  const team = dirname(folder);
  const inEngine = !relative(engine, team).startsWith('..');
  if (inEngine) {
    console.log(`  next: edit its files, then npm run service:check -- ${folder}`);
    return;
  }
  if (!existsSync(join(team, 'node_modules', 'ozg-case-engine'))) {
    console.log(`  next: make ${team} a project with the engine as its dependency (once; docs/add-a-service.md):`);
    console.log(`          cd ${team} && npm init -y && npm install ${relative(team, engine) || '.'}`);
  }
  console.log(`  then: edit its files, and check it from ${team}:`);
  console.log(`          npm --prefix node_modules/ozg-case-engine run service:check -- ${resolve(folder)}`);
}

main().catch((err: unknown) => {
  console.error(`✗ ${(err as Error).message}`);
  process.exit(1);
});

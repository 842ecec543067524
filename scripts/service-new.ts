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
  console.log(`  next: edit its files, then npm run service:check -- ${folder}`);
}

main().catch((err: unknown) => {
  console.error(`✗ ${(err as Error).message}`);
  process.exit(1);
});

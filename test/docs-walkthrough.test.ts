import { testPayloadKeys } from './support/codec.js';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(join(repoRoot, 'docs', 'add-a-service.md'), 'utf8');
const commands = [...doc.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim()));
/** The page's only placeholder: where the engine's checkout is. Everything else runs as written. */
const ENGINE = '../ozg-case-engine';

const folder = mkdtempSync(join(tmpdir(), 'walkthrough-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('docs/add-a-service.md', () => {
  // npm install of the engine into a fresh folder, then service:check twice, once end to end.
  it('its commands work exactly as written, in order, in a fresh folder', { timeout: 180_000 }, async () => {
    expect(commands).toEqual([
      'mkdir team-services && cd team-services',
      'npm init -y',
      `npm install ${ENGINE}`,
      'npm --prefix node_modules/ozg-case-engine run service:new -- bibliotheksausweis --dir "$PWD"',
      'npm --prefix node_modules/ozg-case-engine run service:check -- "$PWD/bibliotheksausweis"',
      'npm --prefix node_modules/ozg-case-engine run service:check -- "$PWD/bibliotheksausweis" --e2e',
    ]);
    const script = ['set -euo pipefail', ...commands.map((c) => c.replaceAll(ENGINE, repoRoot))].join('\n');
    // A user's shell, not npm's: no npm_* variables of the npm that may have started vitest.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
    const { stdout } = await run('bash', ['-c', script], {
      cwd: folder,
      // The test's Temporal and PostgreSQL, where --e2e would otherwise start embedded ones.
      env: {
        ...env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        DATABASE_URL: inject('databaseUrl'),
        // The test database holds the authorities' data keys wrapped by the tests' ring: the engine needs that ring.
        PAYLOAD_KEYS: testPayloadKeys,
        // The run's bundle of the workflows instead of a webpack run (the CI's demo run bundles as a first start does).
        WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    const team = join(folder, 'team-services');
    // npm installed the engine as the team's dependency: a link to the checkout, recorded in package.json.
    const installed = join(team, 'node_modules', 'ozg-case-engine');
    expect(lstatSync(installed).isSymbolicLink()).toBe(true);
    expect(realpathSync(installed)).toBe(realpathSync(repoRoot));
    const pkg = JSON.parse(readFileSync(join(team, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(pkg.dependencies?.['ozg-case-engine']).toMatch(/^file:/);
    expect(existsSync(join(team, 'bibliotheksausweis', 'service.ts'))).toBe(true);
    expect(stdout).toContain(`✓ service bibliotheksausweis scaffolded in ${join(team, 'bibliotheksausweis')}`);
    expect(stdout).toContain('✓ 2 examples as expected');
    expect(stdout).toMatch(/✓ e2e approved: approve, case closed \(approved\)/);
    expect(stdout).toContain('✓ end to end: 2 examples as expected');
  });
});

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(join(repoRoot, 'docs', 'add-a-service.md'), 'utf8');
const commands = [...doc.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim()));

const team = mkdtempSync(join(tmpdir(), 'walkthrough-'));
afterAll(() => rmSync(team, { recursive: true, force: true }));

describe('docs/add-a-service.md', () => {
  it('its commands work exactly as written, in order', { timeout: 400_000 }, async () => {
    expect(commands).toEqual([
      'npm run service:new -- bibliotheksausweis --dir ../team-services',
      'npm run service:check -- ../team-services/bibliotheksausweis',
      'npm run service:check -- ../team-services/bibliotheksausweis --e2e',
    ]);
    // The team's repository has the engine as its dependency.
    mkdirSync(join(team, 'team-services', 'node_modules'), { recursive: true });
    symlinkSync(repoRoot, join(team, 'team-services', 'node_modules', 'ozg-case-engine'), 'dir');
    const outputs: string[] = [];
    for (const command of commands) {
      const { stdout } = await run(
        'bash',
        ['-c', command.replaceAll('../team-services', join(team, 'team-services'))],
        // The test's Temporal and PostgreSQL, where --e2e would otherwise start embedded ones.
        {
          cwd: repoRoot,
          env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: inject('databaseUrl') },
        },
      );
      outputs.push(stdout);
    }
    expect(outputs[1]).toContain('✓ 2 examples as expected');
    expect(outputs[2]).toMatch(/✓ e2e approved: approve, case closed \(approved\)/);
    expect(outputs[2]).toContain('✓ end to end: 2 examples as expected');
  });
});

import { testPayloadKeys } from './support/codec.js';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// A team's repository outside the engine's, with the engine as its dependency.
const teamRepo = mkdtempSync(join(tmpdir(), 'service-check-e2e-'));
mkdirSync(join(teamRepo, 'node_modules'));
symlinkSync(repoRoot, join(teamRepo, 'node_modules', 'ozg-case-engine'), 'dir');
afterAll(() => rmSync(teamRepo, { recursive: true, force: true }));

/** Runs a repository script with tsx and answers its exit code, its stdout and all its output, whatever the code. */
const tsx = (args: string[]) =>
  new Promise<{ code: number; stdout: string; out: string }>((done) => {
    execFile(
      join(repoRoot, 'node_modules/.bin/tsx'),
      ['--conditions=ozg-source', ...args],
      {
        cwd: repoRoot,
        // The test's Temporal and PostgreSQL instead of embedded ones; everything else the CLI picks itself.
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          DATABASE_URL: inject('databaseUrl'),
          // The test database holds the authorities' data keys wrapped by the tests' ring: the engine needs that ring.
          PAYLOAD_KEYS: testPayloadKeys,
          // The run's bundle of the workflows, as a worker image's WORKFLOW_BUNDLE (the CI's demo run bundles as a first
          // start does).
          WORKFLOW_BUNDLE: inject('workflowBundlePath'),
        },
        // One CLI run starts the engine and runs every example as a real case.
        timeout: 150_000,
      },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, out: `${stdout}${stderr}` }),
    );
  });

describe('npm run service:check -- <folder> --e2e', () => {
  it('runs a scaffolded service’s examples as real cases on the embedded engine, and fails on a mismatch', async () => {
    await tsx(['scripts/service-new.ts', 'stadtbuecherei', '--dir', teamRepo]);
    const folder = join(teamRepo, 'stadtbuecherei');

    const ok = await tsx(['scripts/service-check.ts', folder, '--e2e']);
    expect(ok.out).toMatch(
      /✓ e2e approved: approve, case closed \(approved\), fee 1000 ct, evidence residence \[case [0-9a-f-]{36}\]/,
    );
    expect(ok.out).toMatch(/✓ e2e rejected: reject, case closed \(rejected\), fee 1000 ct, evidence residence/);
    expect(ok.out).toContain('✓ end to end: 2 examples as expected');
    expect(ok.code, ok.out).toBe(0);
    // Only the check's own lines: no webpack statistics, no worker state changes, no JSON log lines, anywhere.
    expect(ok.out).not.toContain('asset workflow-bundle');
    expect(ok.out).not.toContain('Worker state changed');
    expect(ok.out).not.toMatch(/^\s*\{.*\}\s*$/m);
    for (const line of ok.stdout.split('\n').filter(Boolean)) expect(line, ok.stdout).toMatch(/^(✓|✗|!|…| {4})/);

    // An example that expects what the engine does not do: named, with what differs, and a non-zero exit.
    const file = join(folder, 'examples', 'rejected.json');
    const example = JSON.parse(readFileSync(file, 'utf8')) as { expected: { outcome: string; feeCents: number } };
    example.expected.feeCents = 2000;
    writeFileSync(file, JSON.stringify(example, null, 2));
    const bad = await tsx(['scripts/service-check.ts', folder, '--e2e']);
    expect(bad.out).toMatch(/✗ e2e rejected: reject, case closed \(rejected\), fee 1000 ct/);
    expect(bad.out).toContain('    feeCents: expected 2000, got 1000');
    expect(bad.out).toContain('✗ end to end: 1 of 2 examples failed');
    expect(bad.code, bad.out).toBe(1);
  }, 300_000); // two CLI runs of at most 150 s each, see above
});

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CURRENT_SHAPE, factsOfFile, pathsOf } from './history-facts.js';
import { addToManifest, recordHistories, type FixtureManifest } from './record-histories.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
export const manifestPath = fileURLToPath(new URL('../fixtures/histories.manifest.json', import.meta.url));

export const fixtureFiles = (): string[] =>
  readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
export const sha256OfFixture = (file: string): string =>
  createHash('sha256')
    .update(readFileSync(fixturesDir + file))
    .digest('hex');
export const readManifest = (): FixtureManifest => JSON.parse(readFileSync(manifestPath, 'utf8')) as FixtureManifest;

/**
 * Byte-identical committed fixtures: one history each, recorded twice under two labels before the coverage check read
 * histories. The files stay (fixtures are append-only); the later name of each pair is neither replayed nor counted.
 */
export const DUPLICATES: Record<string, string> = {
  '2026-11-30-fee-reminder.json': '2026-11-30-fee-in-advance-cancelled.json',
  '2026-11-30-applicant-reply-overdue.json': '2026-11-30-applicant-question.json',
  '2026-11-30-case-worker-reminder.json': '2026-11-30-case-worker-escalation.json',
  // Recorded for two labels from one run: the automated approval with its fee paid in advance.
  '2026-12-07-akte-fee-paid.json': '2026-12-07-akte-automated-approval.json',
};

/** The committed fixtures that count: every file but the known duplicates. */
export const distinctFixtureFiles = (): string[] => fixtureFiles().filter((f) => !DUPLICATES[f]);

/** The paths the committed fixtures cover in the shape new cases start in, read from the histories themselves. */
export function coveredInCurrentShape(): Map<string, string[]> {
  const covered = new Map<string, string[]>();
  for (const file of distinctFixtureFiles()) {
    const facts = factsOfFile(fixturesDir + file);
    if (facts.type === 'caseWorkflow' && facts.shape !== CURRENT_SHAPE) continue;
    for (const p of pathsOf(facts)) covered.set(p, [...(covered.get(p) ?? []), file]);
  }
  return covered;
}

/** Records histories for the paths no committed history of the current shape covers, and adds them to the manifest. */
export async function recordNewFixtures(temporalAddress: string, temporalCli: string): Promise<void> {
  const manifest = readManifest();
  const covered = new Set(coveredInCurrentShape().keys());
  const added = await recordHistories({ temporalAddress, temporalCli, into: fixturesDir, covered });
  writeFileSync(
    manifestPath,
    `${JSON.stringify(
      addToManifest(
        manifest,
        added.map(({ file, paths }) => ({ file, sha256: sha256OfFixture(file), paths })),
      ),
      null,
      2,
    )}\n`,
  );
  // In the repository's format (biome), so the lint step passes on what a recording wrote.
  execFileSync(fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url)), [
    'format',
    '--write',
    manifestPath,
  ]);
  console.log(`recorded ${added.length} new replay fixtures: ${added.map((a) => a.file).join(', ') || '-'}`);
}

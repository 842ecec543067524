import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** Records histories for uncovered paths and adds them to the manifest. */
export async function recordNewFixtures(
  temporalAddress: string,
  temporalCli: string,
  databaseUrl: string,
): Promise<void> {
  const manifest = readManifest();
  const covered = new Set(Object.values(manifest).flatMap((m) => m.paths));
  const before = new Set(fixtureFiles());
  await recordHistories({ temporalAddress, temporalCli, databaseUrl, into: fixturesDir, covered });
  const added = fixtureFiles().filter((f) => !before.has(f));
  const day = /^\d{4}-\d{2}-\d{2}-/;
  writeFileSync(
    manifestPath,
    `${JSON.stringify(
      addToManifest(
        manifest,
        added.map((file) => ({
          file,
          sha256: sha256OfFixture(file),
          paths: [file.replace(day, '').replace(/\.json$/, '')],
        })),
      ),
      null,
      2,
    )}\n`,
  );
  console.log(`recorded ${added.length} new replay fixtures: ${added.join(', ') || '-'}`);
}

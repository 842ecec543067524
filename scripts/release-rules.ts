import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Adds new rule files to rules/released.json; a released file's hash is never changed here (the test refuses it). */
const rulesDir = fileURLToPath(new URL('../rules/', import.meta.url));
const manifestPath = `${rulesDir}released.json`;

export function ruleFiles(): string[] {
  // The samples' rule folders are symbolic links into services/samples/<id>/rules: follow them.
  return readdirSync(rulesDir)
    .filter((name) => statSync(`${rulesDir}${name}`).isDirectory())
    .flatMap((name) =>
      readdirSync(`${rulesDir}${name}`)
        .filter((f) => /^v[0-9]+\.json$/.test(f))
        .map((f) => `${name}/${f}`),
    )
    .sort();
}

export const sha256Of = (file: string): string =>
  createHash('sha256')
    .update(readFileSync(`${rulesDir}${file}`))
    .digest('hex');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
  for (const f of ruleFiles()) if (!manifest[f]) (manifest[f] = sha256Of(f)), console.log(`released ${f}`);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

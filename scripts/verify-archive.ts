// `npm run verify-archive -- <package sha256>`: checks an archive package and every file against its manifest.
import { loadConfig } from '../platform/config.js';
import { openArchive } from './archive-access.js';

const sha = process.argv[2];
if (!sha) {
  console.error('usage: npm run verify-archive -- <package sha256>');
  process.exit(2);
}
const { archive, database } = openArchive(loadConfig());
const check = await archive.verify(sha).finally(() => database.close());
const akte = check.manifest?.Akte;
if (akte)
  console.log(
    `package ${sha}\n  case ${akte.Aktenzeichen}, service ${akte.Leistung}, keep until ${akte.Aufbewahrung.Bis} (${akte.Aufbewahrung.Jahre} years)`,
  );
for (const d of akte?.Vorgang.Dokumente ?? [])
  console.log(`  ${d.Datei.SHA256}  ${d.Datei.Name} (${d.Typ}, ${d.Datei.Groesse} bytes)`);
if (check.manifest?.xdomea)
  console.log(`  xdomea 0503: ${check.manifest.xdomea.Datei} (objects/${check.manifest.xdomea.SHA256})`);
for (const p of check.problems) console.log(`  PROBLEM: ${p}`);
console.log(check.valid ? '  VALID: every file matches the manifest' : '  INVALID');
process.exit(check.valid ? 0 : 1);

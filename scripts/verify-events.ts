// `npm run verify-events -- <caseId> [<archive package sha256>]`: checks a case's hash-chained event log.
import { loadConfig } from '../platform/config.js';
import { verifyEventChain } from '../db/event-chain.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { openArchive } from './archive-access.js';

const [caseId, packageSha] = process.argv.slice(2);
if (!caseId) {
  console.error('usage: npm run verify-events -- <caseId> [<archive package sha256>]');
  process.exit(2);
}
const config = loadConfig();
const { archive, database } = openArchive(config);
let valid = false;
try {
  const archivedHead = packageSha ? (await archive.read(packageSha)).Ereignisprotokoll.Kopfhash : undefined;
  const check = verifyEventChain(await listCaseEvents(database.db, { caseId }), archivedHead);
  console.log(`case ${caseId}: ${check.entries} entries, head ${check.head || '-'}`);
  for (const p of check.problems) console.log(`  PROBLEM: ${p}`);
  console.log(check.valid ? '  VALID: the chain is unbroken' : '  TAMPERED');
  valid = check.valid;
} finally {
  await database.close();
}
process.exit(valid ? 0 : 1);

// `npm run verify-events -- <caseId> [<archive package sha256>]`: checks a case's hash-chained event log.
import { join } from 'node:path';
import { FolderArchiveStore } from '../adapters/archive-store.js';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/client.js';
import { verifyEventChain } from '../db/event-chain.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { embeddedDatabaseUrl } from '../infra/embedded-postgres.js';

const [caseId, packageSha] = process.argv.slice(2);
if (!caseId) {
  console.error('usage: npm run verify-events -- <caseId> [<archive package sha256>]');
  process.exit(2);
}
const config = loadConfig();
const database = connectDatabase(config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPostgresPort), { max: 1 });
let valid = false;
try {
  const archivedHead = packageSha ? (await new FolderArchiveStore(join(config.dataDir, 'archive')).read(packageSha)).Ereignisprotokoll.Kopfhash : undefined;
  const check = verifyEventChain(await listCaseEvents(database.db, { caseId }), archivedHead);
  console.log(`case ${caseId}: ${check.entries} entries, head ${check.head || '-'}`);
  for (const p of check.problems) console.log(`  PROBLEM: ${p}`);
  console.log(check.valid ? '  VALID: the chain is unbroken' : '  TAMPERED');
  valid = check.valid;
} finally {
  await database.close();
}
process.exit(valid ? 0 : 1);

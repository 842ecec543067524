import { ConfigError, loadConfig } from './config.js';
import { connectDatabase } from './db/client.js';
import { whatIf } from './rules/what-if.js';

/** `npm run what-if -- <caseId> <ruleSetVersion>`: how a stored case would be decided under another rule set version. */
async function main(): Promise<void> {
  const [caseId, ruleSetVersion] = process.argv.slice(2).filter((a) => a !== '--');
  if (!caseId || !ruleSetVersion) throw new ConfigError('usage: npm run what-if -- <caseId> <ruleSetVersion>');
  const config = loadConfig();
  // Without DATABASE_URL, read the embedded PostgreSQL of a running demo.
  const url = config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPostgresPort}/ozg`;
  const database = connectDatabase(url, { max: 1 });
  try {
    console.log(JSON.stringify(await whatIf(database.db, { caseId, ruleSetVersion }), null, 2));
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`✗ ${(err as Error).message}`);
  process.exit(1);
});

import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { applicationReader } from '../client/case-inputs.js';
import { engineDataConverter } from '../platform/codec/data-converter.js';
import { payloadKeyRing } from '../platform/codec/keys.js';
import { databaseAuthorities } from '../platform/codec/authority-keys.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { connectDatabase } from '../db/client.js';
import { readRuleSetFile } from '../rules/rule-set.js';
import { whatIf } from '../services/what-if.js';
import { whatIfBulk, type BulkWhatIfReport } from '../services/what-if-bulk.js';

const USAGE =
  'usage: npm run what-if -- <caseId> <ruleSetVersion>\n       npm run what-if -- --service <key> --rules <rule file> [--since YYYY-MM-DD] [--json]';

/**
 * `npm run what-if -- <caseId> <ruleSetVersion>`: how a stored case would be decided under another rule set version.
 * `npm run what-if -- --service <key> --rules <file>`: a candidate rule set against all open and recently closed cases.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      rules: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [caseId, ruleSetVersion] = positionals.filter((a) => a !== '--');
  const bulk = values.service !== undefined || values.rules !== undefined;
  if (bulk ? !values.service || !values.rules : !caseId || !ruleSetVersion) throw new ConfigError(USAGE);
  const since = values.since ? new Date(`${values.since}T00:00:00Z`) : new Date(Date.now() - 90 * 86_400_000);
  if (Number.isNaN(since.getTime()))
    throw new ConfigError(`--since must be a date (YYYY-MM-DD), got "${values.since}"`);
  const config = loadConfig();
  // Without DATABASE_URL, read the embedded PostgreSQL of a running demo.
  const url = config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPostgresPort}/ozg`;
  const database = connectDatabase(url, { max: 1 });
  try {
    if (!bulk)
      return console.log(
        JSON.stringify(await whatIf(database.db, { caseId: caseId!, ruleSetVersion: ruleSetVersion! }), null, 2),
      );
    // Fees come from the intake rules on each case's application, read from its workflow history.
    const address = config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
    const connection = await Connection.connect({ address, connectTimeout: 5_000 }).catch((err: Error) => {
      console.error(
        `! Temporal at ${address} not reachable (${err.message}): cases from before the Akte are read from it alone`,
      );
      return undefined;
    });
    try {
      const applications = applicationReader(
        database.db,
        connection &&
          new Client({
            connection,
            namespace: config.temporalNamespace,
            dataConverter: engineDataConverter(payloadKeyRing(config), {
              authorities: databaseAuthorities(payloadKeyRing(config), () => database.db),
            }),
          }),
      );
      const report = await whatIfBulk(database.db, {
        serviceKey: values.service!,
        ruleSet: await readRuleSetFile(values.rules!),
        closedSince: since,
        applications,
      });
      console.log(values.json ? JSON.stringify(report, null, 2) : summary(report));
    } finally {
      await connection?.close();
    }
  } finally {
    await database.close();
  }
}

function summary(r: BulkWhatIfReport): string {
  const lines = [
    `rule set ${r.candidate.ruleSetId} v${r.candidate.version} (${r.candidate.hash.slice(0, 12)}) against ${r.cases} open and since ${r.closedSince.slice(0, 10)} closed cases of ${r.serviceKey}`,
    `outcome would change: ${r.outcomeChanged}${
      Object.keys(r.transitions).length
        ? ` (${Object.entries(r.transitions)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')})`
        : ''
    }`,
    `fee would change:     ${r.feeChanged}${r.feeUnknown ? ` (${r.feeUnknown} cases without a readable application: ${r.feeUnknownCases.join(', ')})` : ''}`,
    `pay-out would change: ${r.payoutChanged}`,
    ...Object.entries(r.rules).map(
      ([rule, n]) =>
        `  rule ${rule}: newly fires in ${n.added}, no longer in ${n.removed}, leads elsewhere in ${n.changed} changed cases`,
    ),
    ...r.changedCases.map(
      (c) =>
        `  ${c.caseId} (${c.status}): ${c.stored.outcome} → ${c.alternative.outcome}${c.changes.includes('fee') ? `, fee ${c.stored.feeCents} → ${c.alternative.feeCents} ct` : ''}${c.changes.includes('payout') ? `, pay-out ${c.stored.payoutCents ?? 0} → ${c.alternative.payoutCents ?? 0} ct` : ''}; rules: ${[...c.rulesAdded.map((x) => `+${x}`), ...c.rulesRemoved.map((x) => `-${x}`), ...c.rulesChanged.map((x) => `~${x}`)].join(' ')}`,
    ),
  ];
  return lines.join('\n');
}

main().catch((err: unknown) => {
  console.error(`✗ ${(err as Error).message}`);
  process.exit(1);
});

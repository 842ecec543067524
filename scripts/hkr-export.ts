import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.js';
import { connectDatabase } from '../db/client.js';
import { exportHkrBookings } from '../adapters/hkr-export.js';

/** `npm run hkr:export -- --format csv|json [--authority ID] [--from ISO] [--to ISO] [--out FILE]`: the bookings for the HKR. */
const { values } = parseArgs({
  options: {
    format: { type: 'string', default: 'csv' },
    authority: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
  },
});
const format = values.format;
if (format !== 'csv' && format !== 'json') throw new Error(`--format must be csv or json, got "${format}"`);
const date = (name: string, v?: string) => {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--${name} must be an ISO date, got "${v}"`);
  return d;
};
const config = loadConfig();
// Without DATABASE_URL, read the embedded PostgreSQL of a running demo.
const url = config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPostgresPort}/ozg`;
const database = connectDatabase(url, { max: 1 });
try {
  const text = await exportHkrBookings(database.db, {
    format,
    authorityId: values.authority,
    from: date('from', values.from),
    to: date('to', values.to),
  });
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
} finally {
  await database.close();
}

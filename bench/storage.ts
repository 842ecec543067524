import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';

/** PostgreSQL bytes (tables, indexes, TOAST of the engine's schema) and cases, for bytes per case. */
export async function databaseBytes(db: Database): Promise<{ bytes: number; cases: number }> {
  const [size] = await db.execute<{ bytes: string }>(
    sql`select coalesce(sum(pg_total_relation_size(c.oid)), 0)::text as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'm') and n.nspname = current_schema()`,
  );
  const [cases] = await db.execute<{ n: string }>(sql`select count(*)::text as n from cases`);
  return { bytes: Number(size?.bytes ?? 0), cases: Number(cases?.n ?? 0) };
}

/** Bytes of the blob store's folder (documents, sealed Bescheide, archive packages) under DATA_DIR. */
export async function blobFolderBytes(dataDir: string): Promise<number> {
  // Everything else under DATA_DIR belongs to the development stack, not to the cases' documents.
  const notBlobs = new Set(['postgres', 'temporal', 'seal', 'keys', 'logs']);
  const walk = async (dir: string): Promise<number> => {
    let total = 0;
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, e.name);
      if (e.isDirectory()) total += await walk(path);
      else if (e.isFile()) total += (await stat(path)).size;
    }
    return total;
  };
  let total = 0;
  for (const e of await readdir(dataDir, { withFileTypes: true }).catch(() => [])) {
    if (!notBlobs.has(e.name))
      total += e.isDirectory() ? await walk(join(dataDir, e.name)) : (await stat(join(dataDir, e.name))).size;
  }
  return total;
}

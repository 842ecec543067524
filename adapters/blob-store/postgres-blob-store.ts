import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { blobs } from '../../db/schema.js';
import type { BlobStore } from './blob-store.js';

/** Bytes in PostgreSQL (`blobs`, bytea, TOAST-compressed): every process that reaches the database reaches them. */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres';
  constructor(private readonly db: Database) {}

  async putOnce(key: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    await this.db
      .insert(blobs)
      .values({
        key,
        mediaType,
        size: bytes.byteLength,
        bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      })
      .onConflictDoNothing({ target: blobs.key });
  }

  async get(key: string): Promise<Buffer | undefined> {
    const [row] = await this.db.select({ bytes: blobs.bytes }).from(blobs).where(eq(blobs.key, key));
    return row?.bytes;
  }

  async delete(key: string): Promise<void> {
    await this.db.delete(blobs).where(eq(blobs.key, key));
  }

  /** How many blobs and bytes are stored under a prefix, for operators. */
  async usage(prefix: string): Promise<{ count: number; bytes: number }> {
    const [row] = await this.db
      .select({ count: sql<number>`count(*)::int`, bytes: sql<number>`coalesce(sum(${blobs.size}), 0)::bigint` })
      .from(blobs)
      .where(sql`${blobs.key} like ${`${prefix}%`}`);
    return { count: row?.count ?? 0, bytes: Number(row?.bytes ?? 0) };
  }
}

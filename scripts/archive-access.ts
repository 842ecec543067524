import { BlobArchiveStore } from '../adapters/archive-store.js';
import type { Config } from '../platform/config.js';
import { connectDatabase, type DatabaseHandle } from '../db/client.js';
import { embeddedDatabaseUrl } from '../dev/embedded-postgres.js';
import { openBlobStore } from '../adapters/blob-store/index.js';

/** The archive as the engine configured it, for the command-line verifiers; close the database afterwards. */
export function openArchive(config: Config): { archive: BlobArchiveStore; database: DatabaseHandle } {
  const database = connectDatabase(config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPostgresPort), { max: 1 });
  return { archive: new BlobArchiveStore(openBlobStore(config.blobStore, database.db)), database };
}

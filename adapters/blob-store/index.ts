import type { BlobStoreConfig } from '../../platform/config.js';
import type { Database } from '../../db/client.js';
import { FolderBlobStore, type BlobStore } from './blob-store.js';
import { PostgresBlobStore } from './postgres-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

export type { BlobStore } from './blob-store.js';

/** The configured blob store; PostgreSQL's needs the engine's database. */
export function openBlobStore(c: BlobStoreConfig, db: Database): BlobStore {
  switch (c.kind) {
    case 'folder':
      return new FolderBlobStore(c.root);
    case 'postgres':
      return new PostgresBlobStore(db);
    case 's3':
      return new S3BlobStore(c);
  }
}

export const describeBlobStore = (c: BlobStoreConfig): string =>
  c.kind === 'folder'
    ? `folder ${c.root} (this machine only)`
    : c.kind === 'postgres'
      ? 'PostgreSQL (table blobs)'
      : `S3 bucket ${c.bucket}${c.endpoint ? ` at ${c.endpoint}` : ''}`;

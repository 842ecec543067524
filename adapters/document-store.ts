import { createHash } from 'node:crypto';
import type { DocumentRef } from '../workflows/contracts/case.js';
import type { BlobStore } from './blob-store/blob-store.js';

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Content-addressed documents: a document's key is its SHA-256, so writing twice is harmless and a changed byte shows. */
export class DocumentStore {
  constructor(private readonly blobs: BlobStore) {}

  async put(bytes: Uint8Array, mediaType: string): Promise<DocumentRef> {
    const sha256 = sha256Hex(bytes);
    await this.blobs.putOnce(keyOf(sha256), bytes, mediaType);
    return { sha256, mediaType, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    const bytes = await this.blobs.get(keyOf(sha256));
    if (!bytes) throw new Error(`document ${sha256} is not stored`);
    if (sha256Hex(bytes) !== sha256) throw new Error(`document ${sha256} is corrupt`);
    return bytes;
  }

  /** Retention: the document is gone afterwards; its hash may still be named by the event log. */
  async delete(sha256: string): Promise<void> {
    await this.blobs.delete(keyOf(sha256));
  }
}

const keyOf = (sha256: string): string => {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return `documents/${sha256.slice(0, 2)}/${sha256}`;
};

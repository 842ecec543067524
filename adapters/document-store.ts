import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentRef } from '../contracts/case.js';

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Content-addressed store in a folder: a document's name is its SHA-256, so writing twice is harmless. */
export class DocumentStore {
  constructor(private readonly root: string) {}

  async put(bytes: Uint8Array, mediaType: string): Promise<DocumentRef> {
    const sha256 = sha256Hex(bytes);
    const dir = join(this.root, sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${sha256}.${process.pid}.tmp`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(dir, sha256));
    return { sha256, mediaType, size: bytes.byteLength };
  }

  async get(sha256: string): Promise<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    const bytes = await readFile(join(this.root, sha256.slice(0, 2), sha256));
    if (sha256Hex(bytes) !== sha256) throw new Error(`document ${sha256} is corrupt`);
    return bytes;
  }

  /** Erases a document (retention); erasing one already gone is no error. Returns whether it was there. */
  async remove(sha256: string): Promise<boolean> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return unlink(join(this.root, sha256.slice(0, 2), sha256)).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    });
  }
}

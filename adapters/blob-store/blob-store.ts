import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Where bytes live, shared by every API and worker process: PostgreSQL by default, an S3-compatible bucket by setting,
 * a local folder in the demo. Keys are content-addressed by their callers, so a second write of a key is a no-op.
 */
export interface BlobStore {
  readonly kind: 'folder' | 'postgres' | 's3';
  putOnce(key: string, bytes: Uint8Array, mediaType: string): Promise<void>;
  /** The bytes, or undefined when nothing is stored under the key. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes a key (retention); removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const safeKey = (key: string): string => {
  if (!/^[a-z0-9][a-z0-9/._-]*$/i.test(key) || key.includes('..')) throw new Error(`not a blob key: ${key}`);
  return key;
};

/** A folder on this machine: the demo's choice, never shared between machines. */
export class FolderBlobStore implements BlobStore {
  readonly kind = 'folder';
  constructor(private readonly root: string) {}

  async putOnce(key: string, bytes: Uint8Array): Promise<void> {
    const file = join(this.root, safeKey(key));
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    // First writer wins atomically; a second writer of the same content-addressed key would write the same bytes.
    await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await unlink(tmp);
  }

  async get(key: string): Promise<Buffer | undefined> {
    return readFile(join(this.root, safeKey(key))).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  }

  async delete(key: string): Promise<void> {
    await unlink(join(this.root, safeKey(key))).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

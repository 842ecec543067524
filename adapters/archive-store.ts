import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './document-store.js';

export interface ArchiveManifest {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  closedAt: string;
  retentionYears: number;
  files: Array<{ name: string; sha256: string; mediaType: string; size: number }>;
  events: unknown[];
  decision: unknown;
  payments: unknown[];
}

/** Archive packages (Veraktung) in a content-addressed folder: the package name is the SHA-256 of its manifest. */
export class FolderArchiveStore {
  constructor(private readonly root: string) {}

  async store(manifest: ArchiveManifest): Promise<{ packageSha256: string; location: string }> {
    const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
    const packageSha256 = sha256Hex(bytes);
    await mkdir(this.root, { recursive: true });
    const location = join(this.root, `${packageSha256}.json`);
    const tmp = `${location}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, location);
    return { packageSha256, location };
  }

  async read(packageSha256: string): Promise<ArchiveManifest> {
    const bytes = await readFile(join(this.root, `${packageSha256}.json`));
    if (sha256Hex(bytes) !== packageSha256) throw new Error(`archive package ${packageSha256} is corrupt`);
    return JSON.parse(bytes.toString('utf8')) as ArchiveManifest;
  }
}

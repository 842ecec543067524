import type { BlobStore } from './blob-store/blob-store.js';
import { sha256Hex } from './document-store.js';
import { buildXdomea0503, type Xdomea0503Input } from './xdomea.js';

/** One file of a case file (Akte): the bytes travel in, the manifest keeps name, type, size and SHA-256. */
export interface ArchiveFile {
  name: string;
  /** xdomea-like document type: Bescheid, Nachweis, Entscheidung, Zahlungen, Ereignisprotokoll. */
  kind: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface ArchivePackageInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  closedAt: string;
  retentionYears: number;
  /** The readable Aktenzeichen of the case's Akte; the case id where the case has none (cases before the Akte). */
  aktenzeichen?: string;
  files: ArchiveFile[];
  /** Hash of the event log's last entry when archived, so a later change or removal in the log is detected. */
  eventLogHead: string;
  /** What the xdomea 0503 message names besides the files; absent: no xdomea message is written. */
  xdomea?: Pick<Xdomea0503Input, 'authorityName' | 'serviceName' | 'fileReference' | 'openedAt'>;
}

/**
 * The manifest, modelled on xdomea's Aussonderung message where it fits: a head (Kopf) naming sender and time, and one
 * case file (Akte) with one process (Vorgang) that lists every document with its file's SHA-256.
 */
export interface ArchiveManifest {
  profile: 'ozg-case-engine/archive@1 (xdomea-like)';
  Kopf: { Erstellungszeitpunkt: string; Absender: { Behoerde: string }; Anwendung: 'ozg-case-engine' };
  Akte: {
    Aktenzeichen: string;
    /** The case's technical id (absent in packages from before the Akte, whose Aktenzeichen is the case id). */
    Kennung?: string;
    Leistung: string;
    Aufbewahrung: { Jahre: number; Bis: string };
    Vorgang: {
      Abgeschlossen: string;
      Dokumente: Array<{ Typ: string; Format: string; Datei: { Name: string; SHA256: string; Groesse: number } }>;
    };
  };
  Ereignisprotokoll: { Kopfhash: string };
  /** The xdomea 0503 ZIP of the same files, for the archive's import. */
  xdomea?: { Datei: string; SHA256: string };
}

export interface ArchiveCheck {
  valid: boolean;
  packageSha256: string;
  problems: string[];
  manifest?: ArchiveManifest;
}

/** Where archive packages go: the shared blob store (PostgreSQL, an S3-compatible bucket, or the demo's folder). */
export interface ArchiveStore {
  store(p: ArchivePackageInput): Promise<{ packageSha256: string; location: string }>;
  read(packageSha256: string): Promise<ArchiveManifest>;
  readFile(sha256: string): Promise<Buffer>;
  verify(packageSha256: string): Promise<ArchiveCheck>;
}

/**
 * Content-addressed: each file under `archive/objects/<sha256>`, each manifest under `archive/packages/<sha256>.json`.
 * Writing the same thing twice is harmless, and any changed byte shows as a hash that no longer matches its name.
 */
export class BlobArchiveStore implements ArchiveStore {
  constructor(private readonly blobs: BlobStore) {}

  async store(p: ArchivePackageInput): Promise<{ packageSha256: string; location: string }> {
    const documents: ArchiveManifest['Akte']['Vorgang']['Dokumente'] = [];
    for (const f of p.files) {
      const sha256 = sha256Hex(f.bytes);
      await this.blobs.putOnce(objectKey(sha256), f.bytes, f.mediaType);
      documents.push({
        Typ: f.kind,
        Format: f.mediaType,
        Datei: { Name: f.name, SHA256: sha256, Groesse: f.bytes.byteLength },
      });
    }
    const until = new Date(p.closedAt);
    until.setUTCFullYear(until.getUTCFullYear() + p.retentionYears);
    const manifest: ArchiveManifest = {
      profile: 'ozg-case-engine/archive@1 (xdomea-like)',
      Kopf: { Erstellungszeitpunkt: p.closedAt, Absender: { Behoerde: p.authorityId }, Anwendung: 'ozg-case-engine' },
      Akte: {
        Aktenzeichen: p.aktenzeichen ?? p.caseId,
        ...(p.aktenzeichen && { Kennung: p.caseId }),
        Leistung: p.serviceKey,
        Aufbewahrung: { Jahre: p.retentionYears, Bis: until.toISOString().slice(0, 10) },
        Vorgang: { Abgeschlossen: p.closedAt, Dokumente: documents },
      },
      Ereignisprotokoll: { Kopfhash: p.eventLogHead },
    };
    if (p.xdomea) {
      const message = buildXdomea0503({
        ...p.xdomea,
        caseId: p.caseId,
        authorityId: p.authorityId,
        closedAt: p.closedAt,
        retentionUntil: until.toISOString().slice(0, 10),
        documents: p.files.map((f) => ({ subject: f.kind, mediaType: f.mediaType, bytes: f.bytes })),
      });
      const sha256 = sha256Hex(message.zip);
      await this.blobs.putOnce(objectKey(sha256), message.zip, 'application/zip');
      manifest.xdomea = { Datei: message.zipName, SHA256: sha256 };
    }
    const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
    const packageSha256 = sha256Hex(bytes);
    const location = packageKey(packageSha256);
    await this.blobs.putOnce(location, bytes, 'application/json');
    return { packageSha256, location: `${this.blobs.kind}:${location}` };
  }

  async read(packageSha256: string): Promise<ArchiveManifest> {
    const bytes = await this.blobs.get(packageKey(packageSha256));
    if (!bytes) throw new Error(`archive package ${packageSha256} is not stored`);
    if (sha256Hex(bytes) !== packageSha256) throw new Error(`archive package ${packageSha256} is corrupt`);
    return JSON.parse(bytes.toString('utf8')) as ArchiveManifest;
  }

  async readFile(sha256: string): Promise<Buffer> {
    const bytes = await this.blobs.get(objectKey(sha256));
    if (!bytes) throw new Error(`archived file ${sha256} is not stored`);
    return bytes;
  }

  async verify(packageSha256: string): Promise<ArchiveCheck> {
    const problems: string[] = [];
    let manifest: ArchiveManifest;
    try {
      manifest = await this.read(packageSha256);
    } catch (err) {
      return { valid: false, packageSha256, problems: [(err as Error).message] };
    }
    if (manifest.xdomea) {
      const zip = await this.readFile(manifest.xdomea.SHA256).catch(() => undefined);
      if (!zip) problems.push(`${manifest.xdomea.Datei}: missing`);
      else if (sha256Hex(zip) !== manifest.xdomea.SHA256)
        problems.push(`${manifest.xdomea.Datei}: does not match its SHA-256`);
    }
    let index: Buffer | undefined;
    for (const d of manifest.Akte.Vorgang.Dokumente) {
      const bytes = await this.readFile(d.Datei.SHA256).catch(() => undefined);
      if (!bytes) problems.push(`${d.Datei.Name}: missing`);
      else if (sha256Hex(bytes) !== d.Datei.SHA256 || bytes.byteLength !== d.Datei.Groesse)
        problems.push(`${d.Datei.Name}: does not match its SHA-256`);
      else if (d.Typ === AKTENVERZEICHNIS) index = bytes;
    }
    // The Akte's document index: every entry it lists must be in the package, with the bytes it names.
    if (index) {
      const listed = new Set(manifest.Akte.Vorgang.Dokumente.map((d) => d.Datei.SHA256));
      for (const e of JSON.parse(index.toString('utf8')) as AkteIndexEntry[])
        if (!listed.has(e.sha256)) problems.push(`${e.title} (${e.kind}, Akte ${e.documentId}): not in the package`);
    }
    return { valid: problems.length === 0, packageSha256, problems, manifest };
  }
}

/** The document type of the Akte's document index in a package. */
export const AKTENVERZEICHNIS = 'Aktenverzeichnis';

/** One entry of the Akte's document index as the package carries it. */
export interface AkteIndexEntry {
  documentId: string;
  kind: string;
  title: string;
  mediaType: string;
  sha256: string;
  size: number;
  authorRole: string;
  authorId: string | null;
  createdAt: string;
  replaces: string | null;
}

const sha = (hex: string): string => {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a SHA-256: ${hex}`);
  return hex;
};
const objectKey = (sha256: string) => `archive/objects/${sha(sha256)}`;
const packageKey = (packageSha256: string) => `archive/packages/${sha(packageSha256)}.json`;

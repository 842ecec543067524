import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './document-store.js';

export interface Seal {
  signature: string;
  keyId: string;
  algorithm: string;
}

/** Seals a document with the authority's key. */
export interface Sealer {
  seal(authorityId: string, document: Uint8Array): Promise<Seal>;
  verify(authorityId: string, document: Uint8Array, seal: Seal): Promise<boolean>;
}

/**
 * Ed25519 over the document's SHA-256, with one key per authority generated on first use in a local folder.
 * Ed25519 signatures are deterministic, so sealing the same document twice gives the same seal.
 */
export class LocalKeySealer implements Sealer {
  private readonly keys = new Map<string, Promise<KeyObject>>();

  constructor(private readonly keyDir: string) {}

  async seal(authorityId: string, document: Uint8Array): Promise<Seal> {
    const key = await this.privateKey(authorityId);
    const signature = sign(null, Buffer.from(sha256Hex(document), 'hex'), key).toString('base64');
    return { signature, keyId: `${authorityId}#${keyFingerprint(createPublicKey(key))}`, algorithm: 'Ed25519-SHA256' };
  }

  async verify(authorityId: string, document: Uint8Array, seal: Seal): Promise<boolean> {
    const publicKey = createPublicKey(await this.privateKey(authorityId));
    return verify(null, Buffer.from(sha256Hex(document), 'hex'), publicKey, Buffer.from(seal.signature, 'base64'));
  }

  private privateKey(authorityId: string): Promise<KeyObject> {
    let key = this.keys.get(authorityId);
    if (!key) {
      key = this.loadOrCreate(authorityId);
      this.keys.set(authorityId, key);
    }
    return key;
  }

  private async loadOrCreate(authorityId: string): Promise<KeyObject> {
    if (!/^[a-z0-9-]+$/.test(authorityId)) throw new Error(`invalid authority id: ${authorityId}`);
    const file = join(this.keyDir, `${authorityId}.pem`);
    try {
      return createPrivateKey(await readFile(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await mkdir(this.keyDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    // `wx` lets a concurrent first use win once; the loser reads the winner's key.
    await writeFile(file, pem, { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    return createPrivateKey(await readFile(file));
  }
}

const keyFingerprint = (key: KeyObject): string =>
  sha256Hex(key.export({ type: 'spki', format: 'der' })).slice(0, 16);

import { randomBytes } from 'node:crypto';

/** One AES-256 key and the id written next to every payload it encrypts. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * The seam for a KMS: the codec asks for the key to encrypt with and for a key by id to decrypt.
 * A KMS-backed ring (unwrapping data keys on demand) implements the same two calls.
 */
export interface KeyRing {
  /** The key new payloads are encrypted with: the newest. */
  current(): Promise<PayloadKey>;
  /** A key by id, for payloads written under it; undefined when this ring does not hold it. */
  find(id: string): Promise<PayloadKey | undefined>;
}

export class KeyRingError extends Error {}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A fixed list of keys from configuration, oldest first, newest last. */
export class StaticKeyRing implements KeyRing {
  private readonly byId = new Map<string, PayloadKey>();
  private readonly newest: PayloadKey;

  constructor(keys: PayloadKey[]) {
    if (keys.length === 0) throw new KeyRingError('the payload key ring is empty');
    for (const k of keys) {
      if (!KEY_ID.test(k.id))
        throw new KeyRingError(`payload key id "${k.id}" must be 1-64 letters, digits, ".", "_" or "-"`);
      if (k.key.length !== 32)
        throw new KeyRingError(`payload key "${k.id}" must be 32 bytes (AES-256), got ${k.key.length}`);
      if (this.byId.has(k.id)) throw new KeyRingError(`payload key id "${k.id}" appears twice`);
      this.byId.set(k.id, k);
    }
    this.newest = keys[keys.length - 1]!;
  }

  async current(): Promise<PayloadKey> {
    return this.newest;
  }

  async find(id: string): Promise<PayloadKey | undefined> {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }
}

/** `id:base64key,id:base64key` (newest last), the PAYLOAD_KEYS format. */
export function parseKeyList(list: string): PayloadKey[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      if (at < 1) throw new KeyRingError('each entry must be <key id>:<base64 key>');
      return { id: entry.slice(0, at), key: decodeKey(entry.slice(0, at), entry.slice(at + 1)) };
    });
}

/** `{ "keys": [{ "id": "...", "key": "<base64>" }] }` (newest last), the PAYLOAD_KEYS_FILE format. */
export function parseKeyFile(json: string): PayloadKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new KeyRingError('the key file is not JSON');
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys))
    throw new KeyRingError('the key file must hold { "keys": [{ "id": ..., "key": <base64> }] }');
  return keys.map((k: { id?: unknown; key?: unknown }) => {
    if (typeof k?.id !== 'string' || typeof k?.key !== 'string')
      throw new KeyRingError('every key needs a string "id" and a base64 "key"');
    return { id: k.id, key: decodeKey(k.id, k.key) };
  });
}

export const keyFileJson = (keys: PayloadKey[]): string =>
  JSON.stringify({ keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64') })) }, null, 2) + '\n';

export const newPayloadKey = (id: string): PayloadKey => ({ id, key: randomBytes(32) });

function decodeKey(id: string, b64: string): Buffer {
  if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new KeyRingError(`payload key "${id}" is not base64`);
  return Buffer.from(b64, 'base64');
}

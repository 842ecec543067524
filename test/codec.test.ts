import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  AesGcmCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  MissingPayloadKeyError,
} from '../platform/codec/aes-gcm-codec.js';
import { newPayloadKey, parseKeyList, StaticKeyRing } from '../platform/codec/key-ring.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { developmentKeyFile, payloadKeyRing } from '../platform/codec/keys.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const street = 'Lindenstraße 17';
const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

describe('payload codec (AES-256-GCM)', () => {
  const old = newPayloadKey('k-2025');
  const current = newPayloadKey('k-2026');

  it('encrypts with the newest key, names it in the metadata, and decodes back', async () => {
    const codec = new AesGcmCodec(new StaticKeyRing([old, current]));
    const plain = defaultPayloadConverter.toPayload({ street });
    const [encoded] = await codec.encode([plain]);
    expect(text(encoded!.metadata!['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('k-2026');
    expect(Buffer.from(encoded!.data!).includes(street)).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ street });
  });

  it('rotation: a ring with a newer key still decodes payloads of the older key', async () => {
    const [byOld] = await new AesGcmCodec(new StaticKeyRing([old])).encode([defaultPayloadConverter.toPayload(street)]);
    const rotated = new AesGcmCodec(new StaticKeyRing([old, current]));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([byOld!]))[0]!)).toBe(street);
  });

  it('a key id the ring does not hold is an error naming the key id', async () => {
    const [byOld] = await new AesGcmCodec(new StaticKeyRing([old])).encode([defaultPayloadConverter.toPayload(street)]);
    const without = new AesGcmCodec(new StaticKeyRing([current]));
    await expect(without.decode([byOld!])).rejects.toThrow(MissingPayloadKeyError);
    await expect(without.decode([byOld!])).rejects.toThrow(/"k-2025"/);
  });

  it('tampered ciphertext or a swapped key id does not decode', async () => {
    const ring = new StaticKeyRing([old, current]);
    const codec = new AesGcmCodec(ring);
    const [p] = await codec.encode([defaultPayloadConverter.toPayload(street)]);
    const flipped = Buffer.from(p!.data!);
    flipped[20]! ^= 1;
    await expect(codec.decode([{ ...p!, data: flipped }])).rejects.toThrow();
    const relabelled = { ...p!, metadata: { ...p!.metadata, [KEY_ID_METADATA]: Buffer.from('k-2025') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  it('passes payloads through that are not encrypted (histories from before the codec)', async () => {
    const plain = defaultPayloadConverter.toPayload({ street });
    const [decoded] = await new AesGcmCodec(new StaticKeyRing([current])).decode([plain]);
    expect(decoded).toBe(plain);
  });
});

describe('payload key configuration', () => {
  const b64 = Buffer.alloc(32, 1).toString('base64');

  it('PAYLOAD_KEYS lists keys oldest first, newest last', () => {
    const keys = loadConfig({ PAYLOAD_KEYS: `a:${b64},b:${Buffer.alloc(32, 2).toString('base64')}` }).payloadKeys!;
    expect(keys.map((k) => k.id)).toEqual(['a', 'b']);
    expect(parseKeyList(`x:${b64}`)[0]!.key).toEqual(Buffer.alloc(32, 1));
  });

  it('a short key, a bad entry or both variables at once stop start-up naming the variable', () => {
    expect(() => loadConfig({ PAYLOAD_KEYS: `a:${Buffer.alloc(16).toString('base64')}` })).toThrow(
      /PAYLOAD_KEYS: key "a" must be 32 bytes/,
    );
    expect(() => loadConfig({ PAYLOAD_KEYS: 'no-colon' })).toThrow(ConfigError);
    expect(() => loadConfig({ PAYLOAD_KEYS: `a:${b64}`, PAYLOAD_KEYS_FILE: '/nonexistent' })).toThrow(/not both/);
    expect(() => loadConfig({ PAYLOAD_KEYS_FILE: '/nonexistent/keys.json' })).toThrow(/PAYLOAD_KEYS_FILE: cannot read/);
  });

  it('without configured keys a development ring is generated once into DATA_DIR (owner-only) and reused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ozg-keys-'));
    try {
      const first = await payloadKeyRing({ dataDir }).current();
      expect(statSync(developmentKeyFile(dataDir)).mode & 0o777).toBe(0o600);
      expect(await payloadKeyRing({ dataDir }).current()).toEqual(first);
      const configured = { id: 'prod-1', key: Buffer.alloc(32, 3) };
      expect(await payloadKeyRing({ dataDir, payloadKeys: [configured] }).current()).toEqual(configured);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a key ring refuses duplicate ids and an empty list', () => {
    expect(() => new StaticKeyRing([])).toThrow(/empty/);
    const k = newPayloadKey('same');
    expect(() => new StaticKeyRing([k, k])).toThrow(/twice/);
  });
});

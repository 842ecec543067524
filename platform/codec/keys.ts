import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyFileJson, newPayloadKey, parseKeyFile, StaticKeyRing, type KeyRing, type PayloadKey } from './key-ring.js';

/** Where the demo keeps its generated development key ring. */
export const developmentKeyFile = (dataDir: string) => join(dataDir, 'keys', 'payload-keys.json');

/** The configured key ring; without one (demo), a development ring generated once into DATA_DIR and reused. */
export function payloadKeyRing(o: { payloadKeys?: PayloadKey[]; dataDir: string }): KeyRing {
  return new StaticKeyRing(o.payloadKeys ?? developmentKeys(developmentKeyFile(o.dataDir)));
}

function developmentKeys(file: string): PayloadKey[] {
  if (existsSync(file)) return parseKeyFile(readFileSync(file, 'utf8'));
  const keys = [newPayloadKey('dev-1')];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, keyFileJson(keys), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return keys;
}

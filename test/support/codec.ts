import { engineDataConverter } from '../../platform/codec/data-converter.js';
import { StaticKeyRing } from '../../platform/codec/key-ring.js';

/** A fixed key ring for tests: client, worker and replay decode each other's payloads. */
const testKey = { id: 'test-1', key: Buffer.alloc(32, 0x5a) };
export const testKeyRing = new StaticKeyRing([testKey]);
/** The same key as PAYLOAD_KEYS, for engine processes a test starts. */
export const testPayloadKeys = `${testKey.id}:${testKey.key.toString('base64')}`;
export const testDataConverter = engineDataConverter(testKeyRing);

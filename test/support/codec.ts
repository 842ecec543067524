import { engineDataConverter } from '../../codec/data-converter.js';
import { StaticKeyRing } from '../../codec/key-ring.js';

/** A fixed key ring for tests: client, worker and replay decode each other's payloads. */
export const testKeyRing = new StaticKeyRing([{ id: 'test-1', key: Buffer.alloc(32, 0x5a) }]);
export const testDataConverter = engineDataConverter(testKeyRing);

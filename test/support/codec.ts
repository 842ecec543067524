import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { inject } from 'vitest';
import type { Database } from '../../db/client.js';
import * as schema from '../../db/schema.js';
import { databaseAuthorities } from '../../platform/codec/authority-keys.js';
import { engineDataConverter } from '../../platform/codec/data-converter.js';
import { StaticKeyRing } from '../../platform/codec/key-ring.js';

/** A fixed key ring for tests: client, worker and replay decode each other's payloads. */
const testKey = { id: 'test-1', key: Buffer.alloc(32, 0x5a) };
export const testKeyRing = new StaticKeyRing([testKey]);
/** The same key as PAYLOAD_KEYS, for engine processes a test starts. */
export const testPayloadKeys = `${testKey.id}:${testKey.key.toString('base64')}`;

// The test database, connected on first use (idle connections close by themselves: this module is also loaded where
// no test file's hooks exist): the authorities' data keys, wrapped by the test ring, and the cases' authorities.
let database: Database | undefined;
// Global setup (recording fixtures after the run) has no `inject`; it names the database in the environment instead.
const databaseUrl = () => process.env.OZG_RECORDING_DATABASE_URL ?? inject('databaseUrl');
const testDb = () =>
  (database ??= drizzle(postgres(databaseUrl(), { max: 2, idle_timeout: 2, onnotice: () => {} }), {
    schema,
  }));
/** As the engine's processes: a case's payloads under its authority's data key, in the test database. */
export const testAuthorities = databaseAuthorities(testKeyRing, testDb);
export const testDataConverter = engineDataConverter(testKeyRing, { authorities: testAuthorities });

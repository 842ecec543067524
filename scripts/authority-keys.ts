// `npm run authority-keys -- list | rotate <authority> | rewrap`: the authorities' data keys (authority_data_keys).
// `rotate` adds a new version for one authority (every process encrypts with it within five minutes; old versions stay
// for the histories written under them); `rewrap` wraps every data key again under the payload key ring's newest key,
// after that key (the KEK) was rotated; `seal-akten` seals the Akte's identities, consents and JSON records written
// before the engine sealed them (db/akte-sealing.ts) with their authority's current data key. Needs DATABASE_URL and the same PAYLOAD_KEYS / PAYLOAD_KEYS_FILE as the engine.
import { useAkteDataKeys } from '../db/akte-sealing.js';
import { connectDatabase } from '../db/client.js';
import { sealPlainAkten } from '../db/queries/akte.js';
import { AuthorityKeys, PgDataKeyStore } from '../platform/codec/authority-keys.js';
import { payloadKeyRing } from '../platform/codec/keys.js';
import { loadConfig } from '../platform/config.js';

const [command, authority] = process.argv.slice(2);
const config = loadConfig();
if (!config.databaseUrl) throw new Error('DATABASE_URL is required: the data keys are in the database');
const database = connectDatabase(config.databaseUrl, { max: 1 });
const store = new PgDataKeyStore(() => database.db);
const keys = new AuthorityKeys(payloadKeyRing(config), store);
try {
  if (command === 'list')
    for (const k of await store.all())
      console.log(`${k.keyId}\twrapped by ${k.wrappingKeyId}\t${k.createdAt?.toISOString?.() ?? ''}`);
  else if (command === 'rotate' && authority) console.log(`${authority}: new data key ${await keys.rotate(authority)}`);
  else if (command === 'rewrap')
    console.log(`${await keys.rewrapAll()} data keys wrapped again under the newest ring key`);
  else if (command === 'seal-akten') {
    useAkteDataKeys(keys);
    console.log(`${await sealPlainAkten(database.db)} rows of the Akten sealed with their authority's data key`);
  } else throw new Error('usage: npm run authority-keys -- list | rotate <authority> | rewrap | seal-akten');
} finally {
  await database.close();
}

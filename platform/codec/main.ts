// `npm run codec-server`: the codec server alone, for the Temporal Web UI and `temporal workflow show --codec-endpoint`.
// It checks operator tokens against the issuer's published key set (AUTH_JWKS_URL) or a key set file (AUTH_JWKS_FILE),
// as the API does; it never makes up a signing key of its own. An operator decodes their own authority's payloads
// only (a `platform_operator` all), and every decode is recorded in the database's access log (DATABASE_URL). The
// demo starts its own codec server beside the dev server (dev/codec-demo-keys.ts); to run this one against the demo,
// point AUTH_JWKS_FILE at the key set the demo writes (.data/keys/auth-jwks.json).
import { readFileSync } from 'node:fs';
import { connectDatabase } from '../../db/client.js';
import { recordAccess } from '../../db/queries/access-log.js';
import { codecCallerVerifier, localKeys, remoteKeys } from '../auth/tokens.js';
import { loadConfig } from '../config.js';
import { AesGcmCodec } from './aes-gcm-codec.js';
import { databaseAuthorities } from './authority-keys.js';
import { payloadKeyRing } from './keys.js';
import { startCodecServer } from './server.js';

const config = loadConfig();
const audience = { issuer: config.authIssuer, audience: config.authAudience };
if (!config.authJwksUrl && !config.authJwksFile) {
  console.error(
    '✗ codec server: no key set to check operator tokens against\n' +
      "  Set AUTH_JWKS_URL to the token issuer's key set (or, with the demo, AUTH_JWKS_FILE=.data/keys/auth-jwks.json).",
  );
  process.exit(1);
}
if (!config.databaseUrl) {
  console.error('✗ codec server: no DATABASE_URL: the authorities’ data keys and the access log of decodes are there');
  process.exit(1);
}
const keys = config.authJwksUrl
  ? remoteKeys(config.authJwksUrl)
  : localKeys(JSON.parse(readFileSync(config.authJwksFile!, 'utf8')));
const database = connectDatabase(config.databaseUrl, { max: 4 });
const ring = payloadKeyRing(config);
const authorities = databaseAuthorities(ring, () => database.db);
const server = await startCodecServer({
  codec: new AesGcmCodec(ring, { requireEncryption: config.profile === 'production', authorities }),
  authorityKeys: authorities.keys,
  auth: codecCallerVerifier(keys, audience),
  recordAccess: (entry) => recordAccess(database.db, entry),
  corsOrigins: config.codecServer.corsOrigins,
  host: config.httpHost,
  port: config.codecServer.port,
  secureCookies: config.profile === 'production',
  sessionTtlMs: config.codecServer.sessionTtlMs,
});
console.log(
  `» codec server at ${server.endpoint} (CORS for ${config.codecServer.corsOrigins.join(', ')}; operator token needed)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void server.stop().finally(() => database.close()));

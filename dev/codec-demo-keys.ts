import type { CodecCallerVerifier } from '../platform/auth/tokens.js';
import type { Config } from '../platform/config.js';
import type { DbExecutor } from '../db/client.js';
import { recordAccess } from '../db/queries/access-log.js';
import { AesGcmCodec } from '../platform/codec/aes-gcm-codec.js';
import { databaseAuthorities } from '../platform/codec/authority-keys.js';
import type { KeyRing } from '../platform/codec/key-ring.js';
import { startCodecServer } from '../platform/codec/server.js';

/** As the Web UI (on localhost) reaches the codec server: the same site, so the operator's session cookie travels. */
export const demoCodecEndpoint = (config: Config): string => `http://localhost:${config.codecServer.port}/codec/`;

/** The demo's codec server beside its dev server; production runs `npm run codec-server` on its own. */
export async function startDemoCodecServer(config: Config, keys: KeyRing, auth: CodecCallerVerifier, db: DbExecutor) {
  const authorities = databaseAuthorities(keys, () => db);
  const server = await startCodecServer({
    codec: new AesGcmCodec(keys, { authorities }),
    authorityKeys: authorities.keys,
    auth,
    recordAccess: (entry) => recordAccess(db, entry),
    corsOrigins: config.codecServer.corsOrigins,
    host: config.httpHost,
    port: config.codecServer.port,
    sessionTtlMs: config.codecServer.sessionTtlMs,
  });
  return { ...server, endpoint: demoCodecEndpoint(config) };
}

import type { TokenVerifier } from '../platform/auth/tokens.js';
import type { Config } from '../platform/config.js';
import { AesGcmCodec } from '../platform/codec/aes-gcm-codec.js';
import type { KeyRing } from '../platform/codec/key-ring.js';
import { startCodecServer } from '../platform/codec/server.js';

/** As the Web UI (on localhost) reaches the codec server: the same site, so the operator's session cookie travels. */
export const demoCodecEndpoint = (config: Config): string => `http://localhost:${config.codecServer.port}/codec/`;

/** The demo's codec server beside its dev server; production runs `npm run codec-server` on its own. */
export async function startDemoCodecServer(config: Config, keys: KeyRing, auth: TokenVerifier) {
  const server = await startCodecServer({
    codec: new AesGcmCodec(keys),
    auth,
    corsOrigins: config.codecServer.corsOrigins,
    host: config.httpHost,
    port: config.codecServer.port,
  });
  return { ...server, endpoint: demoCodecEndpoint(config) };
}

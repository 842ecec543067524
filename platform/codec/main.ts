// `npm run codec-server`: the codec server alone, for the Temporal Web UI and `temporal workflow show --codec-endpoint`.
import { join } from 'node:path';
import { localIssuer } from '../../dev/identity/local-issuer.js';
import { jwtVerifier, remoteKeys } from '../auth/tokens.js';
import { loadConfig } from '../config.js';
import { AesGcmCodec } from './aes-gcm-codec.js';
import { payloadKeyRing } from './keys.js';
import { startCodecServer } from './server.js';

const config = loadConfig();
const audience = { issuer: config.authIssuer, audience: config.authAudience };
const keys = config.authJwksUrl
  ? remoteKeys(config.authJwksUrl)
  : (await localIssuer({ ...audience, file: join(config.dataDir, 'keys', 'auth-signing-key.json') })).keys;
const server = await startCodecServer({
  codec: new AesGcmCodec(payloadKeyRing(config)),
  auth: jwtVerifier(keys, audience),
  corsOrigins: config.codecServer.corsOrigins,
  host: config.httpHost,
  port: config.codecServer.port,
});
console.log(
  `» codec server at ${server.endpoint} (CORS for ${config.codecServer.corsOrigins.join(', ')}; operator token needed)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());

// `npm run codec-server`: the codec server alone, for the Temporal Web UI and `temporal workflow show --codec-endpoint`.
// It checks operator tokens against the issuer's published key set (AUTH_JWKS_URL) or a key set file (AUTH_JWKS_FILE),
// as the API does; it never makes up a signing key of its own. The demo starts its own codec server beside the dev
// server (dev/codec-demo-keys.ts); to run this one against the demo, point AUTH_JWKS_FILE at the key set the demo
// writes (.data/keys/auth-jwks.json).
import { readFileSync } from 'node:fs';
import { jwtVerifier, localKeys, remoteKeys } from '../auth/tokens.js';
import { loadConfig } from '../config.js';
import { AesGcmCodec } from './aes-gcm-codec.js';
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
const keys = config.authJwksUrl
  ? remoteKeys(config.authJwksUrl)
  : localKeys(JSON.parse(readFileSync(config.authJwksFile!, 'utf8')));
const server = await startCodecServer({
  codec: new AesGcmCodec(payloadKeyRing(config), { requireEncryption: config.profile === 'production' }),
  auth: jwtVerifier(keys, audience),
  corsOrigins: config.codecServer.corsOrigins,
  host: config.httpHost,
  port: config.codecServer.port,
  secureCookies: config.profile === 'production',
});
console.log(
  `» codec server at ${server.endpoint} (CORS for ${config.codecServer.corsOrigins.join(', ')}; operator token needed)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());

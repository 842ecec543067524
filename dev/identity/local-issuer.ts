import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { localKeys, type Principal, type TokenAudience } from '../../platform/auth/tokens.js';

/** Issues tokens with a local key: for the demo and tests, where no identity provider runs. */
export interface LocalIssuer {
  keys: ReturnType<typeof localKeys>;
  /** The public key set, for processes that verify these tokens (AUTH_JWKS_FILE). */
  jwks: { keys: JWK[] };
  /** A principal of the API, or a platform-wide operator (codec server only). */
  sign(p: Principal | { role: 'platform_operator'; subject: string }, ttl?: string): Promise<string>;
}

const ALG = 'ES256';

/** A signing key kept in `file` (created on first use) or, without a file, in memory. */
export async function localIssuer(o: TokenAudience & { file?: string }): Promise<LocalIssuer> {
  const privateJwk = await loadOrCreate(o.file);
  const { d: _private, ...publicJwk } = privateJwk;
  const key = await importJWK(privateJwk, ALG);
  const jwks = { keys: [{ ...publicJwk, alg: ALG, use: 'sig' }] };
  return {
    jwks,
    keys: localKeys(jwks),
    sign: (p, ttl = '1h') =>
      new SignJWT({ role: p.role, ...('authorityId' in p && { authority_id: p.authorityId }) })
        .setProtectedHeader({ alg: ALG, kid: publicJwk.kid, typ: 'at+jwt' })
        .setSubject(p.subject)
        .setIssuer(o.issuer)
        .setAudience(o.audience)
        .setIssuedAt()
        .setExpirationTime(ttl)
        .sign(key),
  };
}

async function loadOrCreate(file?: string): Promise<JWK> {
  if (file) {
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing) return JSON.parse(existing) as JWK;
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}` };
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
  }
  return jwk;
}

import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  CompactEncrypt,
  compactDecrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

/** FIT-Connect's algorithms (Submission API v1): RSA-OAEP-256 key wrapping, A256GCM content, PS512 signatures. */
export const JWE_ALG = 'RSA-OAEP-256';
export const JWE_ENC = 'A256GCM';
export const SET_ALG = 'PS512';

/** The largest decrypted part the receiver inflates from a `zip: DEF` JWE. */
export const MAX_DECRYPTED_BYTES = 20 * 1024 * 1024;

export const sha512Hex = (bytes: Uint8Array | string): string => createHash('sha512').update(bytes).digest('hex');

/** A destination's key pairs: an encryption key (public: `wrapKey`) and a signature key (public: `verify`). */
export interface DestinationKeys {
  /** Private JWKs: the receiver keeps these. */
  encryptionPrivate: JWK;
  signingPrivate: JWK;
  /** Public JWKs with `kid`, `alg` and `key_ops`, as the destination publishes them. */
  encryptionPublic: JWK;
  signingPublic: JWK;
}

/** Fresh RSA 4096 key pairs for a destination (a few seconds: cache them). */
export async function generateDestinationKeys(): Promise<DestinationKeys> {
  const [enc, sig] = await Promise.all([
    generateKeyPair(JWE_ALG, { modulusLength: 4096, extractable: true }),
    generateKeyPair(SET_ALG, { modulusLength: 4096, extractable: true }),
  ]);
  const encKid = `enc-${randomUUID()}`;
  const sigKid = `sig-${randomUUID()}`;
  return {
    encryptionPrivate: { ...(await exportJWK(enc.privateKey)), kid: encKid, alg: JWE_ALG, key_ops: ['unwrapKey'] },
    signingPrivate: { ...(await exportJWK(sig.privateKey)), kid: sigKid, alg: SET_ALG, key_ops: ['sign'] },
    encryptionPublic: { ...(await exportJWK(enc.publicKey)), kid: encKid, alg: JWE_ALG, key_ops: ['wrapKey'] },
    signingPublic: { ...(await exportJWK(sig.publicKey)), kid: sigKid, alg: SET_ALG, key_ops: ['verify'] },
  };
}

/** The public part of a private RSA JWK, with the key operations FIT-Connect names. */
export function publicJwkOf(jwk: JWK, keyOps: 'wrapKey' | 'verify'): JWK {
  const { kty, n, e, kid, alg } = jwk;
  return { kty, n, e, kid, alg, key_ops: [keyOps] };
}

/** Encrypts one part (metadata, data or an attachment) for the destination's public encryption key: compact JWE. */
export async function encryptPart(
  plaintext: Uint8Array | string,
  publicKey: JWK,
  o: { contentType?: string; compress?: boolean } = {},
): Promise<string> {
  if (!publicKey.key_ops?.includes('wrapKey'))
    throw new Error('the destination key is no encryption key (key_ops lacks wrapKey)');
  const key = await importJWK({ ...publicKey, key_ops: undefined }, JWE_ALG);
  const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  return new CompactEncrypt(bytes)
    .setProtectedHeader({
      alg: JWE_ALG,
      enc: JWE_ENC,
      kid: publicKey.kid,
      cty: o.contentType ?? 'application/json',
      ...(o.compress && { zip: 'DEF' }),
    })
    .encrypt(key);
}

/** Why a part could not be decrypted: not a compact JWE, other algorithms, or not for this key. */
export class DecryptionError extends Error {}

/** Decrypts a compact JWE with the destination's private key; tolerates `zip: DEF` (one SDK compresses, another doesn't). */
export async function decryptPart(jwe: string, privateKey: JWK): Promise<Uint8Array> {
  let header;
  try {
    header = decodeProtectedHeader(jwe);
  } catch {
    throw new DecryptionError('not a compact JWE');
  }
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC)
    throw new DecryptionError(`unsupported algorithms ${header.alg}/${header.enc}, expected ${JWE_ALG}/${JWE_ENC}`);
  if (header.kid && privateKey.kid && header.kid !== privateKey.kid)
    throw new DecryptionError(`encrypted for key ${header.kid}, not this destination's key`);
  try {
    const key = await importJWK({ ...privateKey, key_ops: undefined }, JWE_ALG);
    const { plaintext } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: [JWE_ALG],
      contentEncryptionAlgorithms: [JWE_ENC],
      maxDecompressedLength: MAX_DECRYPTED_BYTES,
    });
    return plaintext;
  } catch (err) {
    throw new DecryptionError(`decryption failed (${(err as { code?: string }).code ?? 'error'})`);
  }
}

/** The authentication tag of a compact JWE: its fifth segment, which the accept event repeats. */
export function authenticationTagOf(jwe: string): string {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new DecryptionError('not a compact JWE');
  return parts[4]!;
}

/** FIT-Connect event URIs. */
export const EVENT = {
  create: 'https://schema.fitko.de/fit-connect/events/create-submission',
  submit: 'https://schema.fitko.de/fit-connect/events/submit-submission',
  forward: 'https://schema.fitko.de/fit-connect/events/forward-submission',
  notify: 'https://schema.fitko.de/fit-connect/events/notify-submission',
  accept: 'https://schema.fitko.de/fit-connect/events/accept-submission',
  reject: 'https://schema.fitko.de/fit-connect/events/reject-submission',
  delete: 'https://schema.fitko.de/fit-connect/events/delete-submission',
} as const;
export type EventUri = (typeof EVENT)[keyof typeof EVENT];

export const SET_PAYLOAD_SCHEMA = 'https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json';

export interface AuthenticationTags {
  metadata: string;
  data: string;
  attachments: Record<string, string>;
}

export interface Problem {
  type: string;
  title: string;
  detail: string;
  instance: string;
}

/** A Security Event Token (RFC 8417) as FIT-Connect uses it: PS512, `typ: secevent+jwt`, exactly one event. */
export async function signSet(
  o: {
    issuer: string;
    submissionId: string;
    caseId: string;
    event: EventUri;
    payload?: Record<string, unknown>;
  },
  privateKey: JWK,
): Promise<string> {
  const key = await importJWK({ ...privateKey, key_ops: undefined }, SET_ALG);
  return new SignJWT({
    $schema: SET_PAYLOAD_SCHEMA,
    sub: `submission:${o.submissionId}`,
    txn: `case:${o.caseId}`,
    events: { [o.event]: o.payload ?? {} },
  })
    .setProtectedHeader({ typ: 'secevent+jwt', alg: SET_ALG, kid: privateKey.kid })
    .setIssuer(o.issuer)
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(key);
}

export interface VerifiedSet {
  issuer: string;
  submissionId: string;
  caseId: string;
  event: EventUri;
  payload: Record<string, unknown>;
  claims: JWTPayload;
}

/** Verifies a SET's signature with the given public key and reads its one event. */
export async function verifySet(set: string, publicKey: JWK | CryptoKey): Promise<VerifiedSet> {
  const key =
    'kty' in (publicKey as object)
      ? await importJWK({ ...(publicKey as JWK), key_ops: undefined }, SET_ALG)
      : publicKey;
  const { payload, protectedHeader } = await jwtVerify(set, key as CryptoKey, {
    algorithms: [SET_ALG],
    typ: 'secevent+jwt',
    requiredClaims: ['jti', 'iat', 'iss', 'sub', 'txn', 'events'],
  });
  void protectedHeader;
  const events = payload['events'] as Record<string, Record<string, unknown>> | undefined;
  const names = events && typeof events === 'object' ? Object.keys(events) : [];
  if (names.length !== 1) throw new Error('a SET carries exactly one event');
  const sub = String(payload.sub);
  const txn = String(payload['txn']);
  if (!sub.startsWith('submission:') || !txn.startsWith('case:')) throw new Error('SET sub/txn malformed');
  return {
    issuer: String(payload.iss),
    submissionId: sub.slice('submission:'.length),
    caseId: txn.slice('case:'.length),
    event: names[0] as EventUri,
    payload: events![names[0]!] ?? {},
    claims: payload,
  };
}

/** The claims of a SET without verifying it (to find its issuer and key first). */
export function unverifiedSet(set: string): { iss?: string; kid?: string } {
  const [h, p] = set.split('.');
  try {
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as { kid?: string };
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as { iss?: string };
    return { iss: payload.iss, kid: header.kid };
  } catch {
    return {};
  }
}

/** Reads a private RSA JWK from a file; says which file and what is wrong. */
export async function readPrivateJwk(file: string, variable: string): Promise<JWK> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (err) {
    throw new Error(
      `${variable}: cannot read a JWK from ${file} (${(err as NodeJS.ErrnoException).code ?? 'not JSON'})`,
    );
  }
  if (jwk.kty !== 'RSA' || !jwk.d || !jwk.kid)
    throw new Error(`${variable}: ${file} holds no private RSA JWK with a kid`);
  // FIT-Connect asks for 4096-bit keys: a modulus of at least 683 base64url characters.
  if ((jwk.n ?? '').length < 683) throw new Error(`${variable}: ${file} holds a key shorter than 4096 bits`);
  return jwk;
}

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { STAFF_ROLES, type StaffRole } from '../../workflows/contracts/task.js';

/** Who is calling, as a verified token says. Subjects are pseudonymous ids, never names. */
export type Principal =
  | { role: 'applicant'; subject: string }
  | { role: StaffRole; subject: string; authorityId: string };

/** The one seam for authentication: the HTTP layer only asks this. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export class InvalidTokenError extends Error {}

export interface TokenAudience {
  issuer: string;
  audience: string;
}

/** Asymmetric signatures only: no `none`, no shared-secret HMAC that a published key could be mistaken for. */
export const API_TOKEN_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];
// An access token (RFC 9068 `at+jwt`, or plain `JWT` as most providers write it); never an ID or logout token.
const ACCESS_TOKEN_TYPES = new Set([undefined, 'jwt', 'at+jwt', 'application/at+jwt']);

/**
 * Verifies signed JWTs against a key set: claims `sub`, `role` and, for staff, `authority_id`; algorithm and type
 * are checked, so an ID token or a token of another kind from the same issuer is not an API token.
 */
export function jwtVerifier(keys: JWTVerifyGetKey, o: TokenAudience): TokenVerifier {
  return {
    async verify(token) {
      const payload = await accessTokenClaims(keys, o, token);
      const subject = payload.sub!;
      const role = payload['role'];
      if (role === 'applicant') return { role, subject };
      const authorityId = payload['authority_id'];
      if (STAFF_ROLES.includes(role as StaffRole) && typeof authorityId === 'string' && authorityId)
        return { role: role as StaffRole, subject, authorityId };
      throw new InvalidTokenError('invalid token (role or authority missing)');
    },
  };
}

async function accessTokenClaims(keys: JWTVerifyGetKey, o: TokenAudience, token: string): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, keys, {
    issuer: o.issuer,
    audience: o.audience,
    algorithms: API_TOKEN_ALGORITHMS,
    requiredClaims: ['sub', 'exp'],
  }).catch((err: unknown) => {
    throw new InvalidTokenError(err instanceof errors.JOSEError ? `invalid token (${err.code})` : 'invalid token');
  });
  const kind = payload['typ'];
  if (!ACCESS_TOKEN_TYPES.has(protectedHeader.typ?.toLowerCase()) || (kind !== undefined && kind !== 'Bearer'))
    throw new InvalidTokenError('invalid token (not an access token)');
  return payload;
}

/**
 * Who may use the codec server: an operator of one authority (`role: operator` with `authority_id`) decodes that
 * authority's payloads only; a platform-wide operator is the explicit role `platform_operator` (no authority), which
 * the HTTP API does not know at all. Anyone else is verified, but no operator (the codec server refuses them, 403).
 */
export type CodecCaller =
  | { kind: 'authority_operator'; subject: string; authorityId: string }
  | { kind: 'platform_operator'; subject: string }
  | { kind: 'other'; subject: string; role: string; authorityId?: string };

export interface CodecCallerVerifier {
  verify(token: string): Promise<CodecCaller>;
}

export const PLATFORM_OPERATOR_ROLE = 'platform_operator';

export function codecCallerVerifier(keys: JWTVerifyGetKey, o: TokenAudience): CodecCallerVerifier {
  return {
    async verify(token) {
      const payload = await accessTokenClaims(keys, o, token);
      const subject = payload.sub!;
      const role = String(payload['role'] ?? '');
      const authorityId = typeof payload['authority_id'] === 'string' ? payload['authority_id'] : undefined;
      if (role === PLATFORM_OPERATOR_ROLE) return { kind: 'platform_operator', subject };
      if (role === 'operator' && authorityId) return { kind: 'authority_operator', subject, authorityId };
      return { kind: 'other', subject, role, ...(authorityId && { authorityId }) };
    },
  };
}

export const remoteKeys = (url: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(url));
export const localKeys = (jwks: JSONWebKeySet): JWTVerifyGetKey => createLocalJWKSet(jwks);

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
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

/** Verifies signed JWTs against a key set: claims `sub`, `role` and, for staff, `authority_id`. */
export function jwtVerifier(keys: JWTVerifyGetKey, o: TokenAudience): TokenVerifier {
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, keys, {
        issuer: o.issuer,
        audience: o.audience,
        requiredClaims: ['sub', 'exp'],
      }).catch((err: unknown) => {
        throw new InvalidTokenError(err instanceof errors.JOSEError ? `invalid token (${err.code})` : 'invalid token');
      });
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

export const remoteKeys = (url: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(url));
export const localKeys = (jwks: JSONWebKeySet): JWTVerifyGetKey => createLocalJWKSet(jwks);

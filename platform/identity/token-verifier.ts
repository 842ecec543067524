import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { IdentityAssertion, PersonName, Representation } from '../../workflows/contracts/case.js';
import { TRUST_LEVEL_BY_ACR } from './claims.js';

/** Why a token was not accepted; the code is stable, the message says it to a citizen. */
export class IdentityRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<IdentityAssertion>;
}

/**
 * Verifies an OpenID Connect identity token against the provider's published keys (JWKS from discovery):
 * signature, issuer, audience and expiry, then reads the trust level (`acr`) and any mandate.
 */
export class OidcTokenVerifier implements TokenVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly o: { issuer: string; audience: string; clockToleranceSeconds?: number }) {}

  async verify(token: string): Promise<IdentityAssertion> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await this.jwks(), {
        issuer: this.o.issuer,
        audience: this.o.audience,
        algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
        requiredClaims: ['sub', 'exp', 'acr'],
        clockTolerance: this.o.clockToleranceSeconds ?? 5,
      }));
    } catch (err) {
      throw asRejection(err);
    }
    const trustLevel = TRUST_LEVEL_BY_ACR.get(String(payload['acr']));
    if (!trustLevel)
      throw new IdentityRejectedError('unknown_trust_level', 'Das Vertrauensniveau der Anmeldung ist unbekannt.');
    const mandate = payload['mandate'];
    return {
      subject: String(payload['sub']),
      trustLevel,
      issuer: this.o.issuer,
      ...(mandate !== undefined && { representation: asRepresentation(mandate) }),
      ...nameOf(payload),
    };
  }

  private jwks(): Promise<JWTVerifyGetKey> {
    this.keys ??= discoverJwksUri(this.o.issuer).then((uri) => createRemoteJWKSet(new URL(uri)));
    this.keys.catch(() => (this.keys = undefined));
    return this.keys;
  }
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`OpenID discovery at ${issuer} answered ${res.status}`);
  const { jwks_uri } = (await res.json()) as { jwks_uri?: string };
  if (!jwks_uri) throw new Error(`OpenID discovery at ${issuer} names no jwks_uri`);
  return jwks_uri;
}

function asRepresentation(m: unknown): Representation {
  const r = m as Partial<Representation> | null;
  if (
    !r ||
    typeof r.representedSubject !== 'string' ||
    typeof r.mandateId !== 'string' ||
    (r.kind !== 'person' && r.kind !== 'organisation')
  ) {
    throw new IdentityRejectedError('invalid_mandate', 'Die Vertretungsangabe in der Anmeldung ist unvollständig.');
  }
  return { representedSubject: r.representedSubject, kind: r.kind, mandateId: r.mandateId };
}

function asRejection(err: unknown): Error {
  if (err instanceof errors.JWTExpired)
    return new IdentityRejectedError(
      'token_expired',
      'Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.',
    );
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
    return new IdentityRejectedError('token_signature_invalid', 'Die Signatur des Identitätsnachweises ist ungültig.');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new IdentityRejectedError(
      `token_claim_invalid`,
      `Der Identitätsnachweis ist nicht für diesen Dienst ausgestellt (${err.claim}).`,
    );
  }
  if (err instanceof errors.JOSEError)
    return new IdentityRejectedError('token_invalid', 'Der Identitätsnachweis ist ungültig.');
  return err instanceof Error ? err : new Error(String(err));
}

/** OIDC standard claims; BundID attests them, and the Bescheid is addressed with them. */
function nameOf(payload: Record<string, unknown>): { name?: PersonName } {
  const givenName = payload['given_name'];
  const familyName = payload['family_name'];
  return typeof givenName === 'string' && typeof familyName === 'string' && givenName && familyName
    ? { name: { givenName, familyName } }
    : {};
}

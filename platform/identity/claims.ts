import type { Representation, TrustLevel } from '../../workflows/contracts/case.js';

/** eIDAS levels of assurance as OpenID Connect `acr` values. */
export const ACR_BY_TRUST_LEVEL: Record<TrustLevel, string> = {
  low: 'http://eidas.europa.eu/LoA/low',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  high: 'http://eidas.europa.eu/LoA/high',
};

export const TRUST_LEVEL_BY_ACR = new Map(
  Object.entries(ACR_BY_TRUST_LEVEL).map(([level, acr]) => [acr, level as TrustLevel]),
);

/** Claims the engine reads from an identity token, besides iss, aud, exp. `mandate` is present when acting for someone else. */
export interface IdentityClaims {
  sub: string;
  acr: string;
  mandate?: Representation;
}

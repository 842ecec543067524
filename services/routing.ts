import type { AuthoritySettings } from './types.js';
import { findService } from './catalogue.js';

/** LeiKa keys as the routing API accepts them: 14 digits starting with 99. */
export const LEIKA_PATTERN = /^99\d{12}$/;
/** ARS (Amtlicher Regionalschlüssel) at Land, Regierungsbezirk, Kreis, Gemeindeverband or Gemeinde level. */
export const ARS_PATTERN = /^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$/;

export const leikaUrn = (key: string): string => `urn:de:fim:leika:leistung:${key}`;
export const arsUrn = (ars: string): string => `urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:${ars}`;

/** Where the application is about: the place's ARS or its postal code. */
export interface Place {
  ars?: string;
  postalCode?: string;
}

export type Route =
  | { found: true; authorityId: string }
  | { found: false; reason: 'invalid_place' | 'no_authority' | 'ambiguous'; candidates: string[] };

/** Finds the one responsible authority for a service and a place (production: PVOG/XZuFi; here: the catalogue). */
export interface RoutingTable {
  route(leikaKey: string, place: Place): Route;
}

/**
 * Routes by the authorities' declared areas: an ARS matches an authority whose area is a prefix of it (a Kreis
 * serves its Gemeinden); a postal code matches the postal codes the authority serves.
 */
export class CatalogueRoutingTable implements RoutingTable {
  route(leikaKey: string, place: Place): Route {
    if (!LEIKA_PATTERN.test(leikaKey)) return { found: false, reason: 'invalid_place', candidates: [] };
    if (place.ars !== undefined && !ARS_PATTERN.test(place.ars))
      return { found: false, reason: 'invalid_place', candidates: [] };
    if (place.postalCode !== undefined && !/^\d{5}$/.test(place.postalCode))
      return { found: false, reason: 'invalid_place', candidates: [] };
    if (place.ars === undefined && place.postalCode === undefined)
      return { found: false, reason: 'invalid_place', candidates: [] };
    const service = findService(leikaKey);
    const candidates = Object.entries(service.authorities)
      .filter(([, a]) => serves(a, place))
      .map(([id]) => id);
    if (candidates.length === 1) return { found: true, authorityId: candidates[0]! };
    return { found: false, reason: candidates.length === 0 ? 'no_authority' : 'ambiguous', candidates };
  }
}

function serves(a: AuthoritySettings, place: Place): boolean {
  if (place.ars !== undefined) return (a.arsAreas ?? []).some((area) => place.ars!.startsWith(area));
  return place.postalCode !== undefined && a.postalCodes.includes(place.postalCode);
}

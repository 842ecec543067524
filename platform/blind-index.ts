import { createHmac, hkdfSync } from 'node:crypto';

/** The demo's public search-index secret (everyone can read it here); refused in production. */
export const DEV_SEARCH_INDEX_SECRET = 'ozg-case-engine-development-search-index-secret-not-for-production';

/** What a search term is of (kept beside the hash, so the inbox can say what matched). */
export const SEARCH_TERM_KINDS = ['name', 'birth_date', 'licence_plate', 'address', 'company'] as const;
export type SearchTermKind = (typeof SEARCH_TERM_KINDS)[number];

/**
 * A value as people type it and as the application spells it meet in one form: Unicode NFKC, lower case, umlauts and
 * ß folded (ä → ae, ß → ss, so "Müller" finds "Mueller"), other accents dropped, punctuation a space, spaces
 * collapsed. Licence plates and dates lose their separators ("MS-AB 123" = "ms ab123" = "msab123").
 */
export function normaliseSearchText(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The compact form of a value whose separators carry no meaning (licence plates, dates, postal codes with streets). */
export const compactSearchText = (value: string) => normaliseSearchText(value).replace(/ /g, '');

/**
 * The blind index: a keyed hash (HMAC-SHA-256) of a normalised value, with a key per authority derived (HKDF) from
 * the configured secret. The index stores only these hashes: without the secret nobody can test a name against it,
 * and the same name at two authorities gives two unrelated hashes.
 */
export class BlindIndex {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly secret: string) {
    if (secret.length < 32) throw new Error('the search index secret must have at least 32 characters');
  }

  private keyOf(authorityId: string): Buffer {
    let key = this.keys.get(authorityId);
    if (!key) {
      key = Buffer.from(
        hkdfSync('sha256', this.secret, 'ozg-case-engine/search-index', `authority:${authorityId}`, 32),
      );
      this.keys.set(authorityId, key);
    }
    return key;
  }

  /** The hash of one value as the index stores it; undefined for a value that normalises to nothing. */
  term(authorityId: string, value: string): string | undefined {
    const compact = compactSearchText(value);
    if (!compact) return undefined;
    return createHmac('sha256', this.keyOf(authorityId)).update(compact).digest('base64url');
  }
}

/** The values of an application and identity that people search by, each once (not yet hashed). */
export function searchValues(o: {
  name?: { givenName: string; familyName: string };
  application: Record<string, unknown>;
}): Array<{ kind: SearchTermKind; value: string }> {
  const out: Array<{ kind: SearchTermKind; value: string }> = [];
  const add = (kind: SearchTermKind, value: unknown) => {
    if (typeof value === 'string' && value.trim()) out.push({ kind, value });
  };
  const a = o.application;
  if (o.name) {
    add('name', o.name.familyName);
    add('name', `${o.name.givenName} ${o.name.familyName}`);
    add('name', `${o.name.familyName} ${o.name.givenName}`);
  }
  const applicant = record(a['applicant']) ?? record(a['person']);
  if (applicant) {
    add('name', applicant['familyName']);
    if (typeof applicant['givenName'] === 'string' && typeof applicant['familyName'] === 'string')
      add('name', `${applicant['givenName']} ${applicant['familyName']}`);
    add('birth_date', applicant['birthDate'] ?? applicant['dateOfBirth']);
  }
  add('birth_date', a['birthDate'] ?? a['dateOfBirth']);
  for (const key of ['licensePlate', 'licencePlate', 'kennzeichen']) add('licence_plate', a[key]);
  add('company', record(a['business'])?.['name'] ?? record(a['company'])?.['name']);
  const address = record(a['address']);
  if (address) {
    add('address', address['street']);
    if (typeof address['street'] === 'string' && typeof address['city'] === 'string')
      add('address', `${address['street']} ${address['city']}`);
    if (typeof address['street'] === 'string' && typeof address['postalCode'] === 'string')
      add('address', `${address['street']} ${address['postalCode']}`);
  }
  return out;
}

/** Birth dates as people type them (31.12.1980) in the form applications hold them (1980-12-31). */
export function searchQueryVariants(query: string): string[] {
  const german = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(query);
  if (!german) return [query];
  const [, d, m, y] = german;
  return [query, `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`];
}

const record = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

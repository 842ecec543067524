/** Text with personal data replaced by placeholders, and the map to put it back inside the engine. */
export interface Minimised {
  text: string;
  placeholders: Map<string, string>;
}

// Order matters: longer, more specific patterns first, so an IBAN is not half-eaten by the number pattern.
const PATTERNS: Array<[label: string, pattern: RegExp]> = [
  ['EMAIL', /[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/gu],
  ['IBAN', /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b/g],
  ['UUID', /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi],
  ['PSEUDONYM', /\bpseudonym-[\w-]+/g],
  ['KFZ', /\b[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} ?[1-9]\d{0,3}[EH]?\b/g],
  [
    'ADRESSE',
    /\b(?:[\p{Lu}][\p{L}-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|markt)|Am [\p{Lu}][\p{L}-]+)\s*\d{1,4}\s?[a-z]?\b/gu,
  ],
  ['PLZ_ORT', /\b\d{5}\s+[\p{Lu}][\p{L}-]+/gu],
  ['DATUM', /\b\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}\b/g],
  ['TELEFON', /(?:\+49|\b0)[\d /-]{6,}\d/g],
  ['NUMMER', /\b\d{6,}\b/g],
  ['NAME', /\b(?:Herrn?|Frau|Dr\.|Prof\.)(?:\s+(?:Dr\.|Prof\.))*\s+(?:[\p{Lu}][\p{L}-]+\s?){1,3}/gu],
  ['NAME', /(?<=\b(?:[Ii]ch hei(?:ße|sse)|[Mm]ein Name ist|[Ii]ch bin)\s)(?:[\p{Lu}][\p{L}-]+\s?){1,3}/gu],
];

/**
 * Replaces names, addresses, IBANs, contact data and identifiers with numbered placeholders before a prompt
 * leaves the engine. `known` are values the engine holds about the applicant (address, plate, subject): they
 * are replaced wherever they appear, whatever their shape.
 */
export function minimise(text: string, known: Array<[label: string, value: string]> = []): Minimised {
  const placeholders = new Map<string, string>();
  const byValue = new Map<string, string>();
  const counters = new Map<string, number>();
  const placeholderFor = (label: string, value: string): string => {
    const key = value.trim();
    const existing = byValue.get(key);
    if (existing) return existing;
    const n = (counters.get(label) ?? 0) + 1;
    counters.set(label, n);
    const p = `[${label}_${n}]`;
    placeholders.set(p, key);
    byValue.set(key, p);
    return p;
  };
  let out = text;
  for (const [label, value] of [...known].sort((a, b) => b[1].length - a[1].length)) {
    if (value.trim().length < 3) continue;
    out = out.split(value).join(placeholderFor(label, value));
  }
  for (const [label, pattern] of PATTERNS) {
    out = out.replace(pattern, (m) => {
      const trailing = m.match(/\s+$/)?.[0] ?? '';
      return placeholderFor(label, m) + trailing;
    });
  }
  return { text: out, placeholders };
}

/** Puts the engine's values back into a model's text, for a case worker's eyes only. */
export function restore(text: string, placeholders: Map<string, string>): string {
  let out = text;
  for (const [p, value] of placeholders) out = out.split(p).join(value);
  return out;
}

/** Values from an application worth hiding wherever they appear: every string leaf, labelled by its field. */
export function knownValues(application: Record<string, unknown>, subject?: string): Array<[string, string]> {
  const out: Array<[string, string]> = subject ? [['PSEUDONYM', subject]] : [];
  const walk = (v: unknown, name: string) => {
    if (typeof v === 'string') out.push([name.toUpperCase(), v]);
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, k);
  };
  walk(application, 'WERT');
  return out;
}

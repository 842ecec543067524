import type { FieldError } from '../workflows/contracts/case.js';

// What intake accepts must fit in PostgreSQL (no NUL, no lone surrogates), render in the Bescheid's embedded fonts
// (DejaVu Sans and DejaVu Sans Bold, adapters/documents/fonts.ts) and go into a prompt as plain text: no control, format
// (bidi, zero-width), separator, private-use or unassigned characters, and no pile-up of combining marks.

export const TEXT_LIMITS = { stringLength: 5_000, keyLength: 100, depth: 8, arrayItems: 200 } as const;

/**
 * The blocks intake takes letters, marks, digits, punctuation and symbols from: the scripts of names and addresses
 * in Germany and the EU (Latin with all its extensions, Vietnamese included; Greek; Cyrillic), trimmed to what both
 * DejaVu fonts have a glyph for. test/safe-text.test.ts checks every accepted character against both font files.
 */
const BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e], // Basic Latin
  [0xa0, 0x24f], // Latin-1 Supplement, Latin Extended-A and -B
  [0x2b0, 0x2e9], // Spacing Modifier Letters (ʼ ˆ ˜ …)
  // Combining Diacritical Marks (NFD forms of ä, ễ …), without the overlays U+0334–U+0338 that strike through letters.
  [0x300, 0x333],
  [0x339, 0x34e],
  [0x370, 0x3ff], // Greek and Coptic
  [0x400, 0x525], // Cyrillic and Cyrillic Supplement
  [0x1e00, 0x1efb], // Latin Extended Additional (Vietnamese, Welsh …)
  [0x2010, 0x205e], // General Punctuation: dashes, typographic quotes, ellipsis, per mille …
  [0x20a0, 0x20b5], // Currency Symbols (€ …)
  [0x20b8, 0x20ba],
  [0x20bd, 0x20bd],
  [0x2116, 0x2116], // №
  [0x2122, 0x2122], // ™
];
const VISIBLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
/** Tab, line feed and carriage return are the only control characters a form field may carry. */
const ALLOWED_CONTROL = [0x09, 0x0a, 0x0d];
/** More combining marks on one letter than any language needs (Vietnamese needs two) is a rendering attack. */
const MAX_COMBINING = 2;

/** Accepted code points as sorted, merged ranges. */
const ACCEPTED: ReadonlyArray<readonly [number, number]> = (() => {
  const out: Array<[number, number]> = ALLOWED_CONTROL.map((c) => [c, c]);
  for (const [from, to] of BLOCKS) {
    for (let cp = from; cp <= to; cp++) {
      if (!(cp === 0x20 || cp === 0xa0 || VISIBLE.test(String.fromCodePoint(cp)))) continue;
      const last = out.at(-1)!;
      if (last[1] === cp - 1) last[1] = cp;
      else out.push([cp, cp]);
    }
  }
  return out;
})();

/** Every code point intake accepts (for tests and documentation). */
export function acceptedCodePoints(): number[] {
  return ACCEPTED.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
}

function accepted(cp: number): boolean {
  let lo = 0;
  let hi = ACCEPTED.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ACCEPTED[mid]!;
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
const u = (cp: number) => `\\u${cp.toString(16).padStart(4, '0')}`;

/**
 * The same characters as a JSON Schema pattern, for texts staff and applicants write through the API (justifications,
 * replies). All accepted characters are in the Basic Multilingual Plane, so the pattern needs no `u` flag.
 */
export const PRINTABLE_TEXT_PATTERN = `^[${ACCEPTED.map(([a, b]) => (a === b ? u(a) : `${u(a)}-${u(b)}`)).join('')}]*$`;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const combiningRun = new RegExp(`\\p{M}{${MAX_COMBINING + 1},}`, 'u');

type Problem = Pick<FieldError, 'code' | 'message' | 'messageEn'>;

/** Why a text cannot be taken as is, or undefined when it can. */
export function textProblem(s: string, maxLength: number = TEXT_LIMITS.stringLength): Problem | undefined {
  if (loneSurrogate.test(s))
    return {
      code: 'invalid_characters',
      message: 'Die Eingabe enthält ungültige Zeichen.',
      messageEn: 'The input contains invalid characters (unpaired surrogates).',
    };
  if (s.length > maxLength)
    return {
      code: 'too_long',
      message: `Die Eingabe ist zu lang (höchstens ${maxLength} Zeichen).`,
      messageEn: `The input is too long (at most ${maxLength} characters).`,
    };
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (accepted(cp)) continue;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      return {
        code: 'invalid_characters',
        message: 'Die Eingabe enthält Steuerzeichen.',
        messageEn: 'The input contains control characters.',
      };
    }
    if (!VISIBLE.test(ch)) {
      // Format (bidi, zero-width), separator, private-use, unassigned or noncharacter: never shown as itself.
      return {
        code: 'unsupported_characters',
        message: `Die Eingabe enthält das unsichtbare oder unzulässige Zeichen ${hex(cp)}.`,
        messageEn: `The input contains the invisible or disallowed character ${hex(cp)}.`,
      };
    }
    return {
      code: 'unsupported_characters',
      message: `Das Zeichen „${ch}“ (${hex(cp)}) kann im Bescheid nicht gedruckt werden.`,
      messageEn: `The character ${hex(cp)} cannot be printed in the decision letter.`,
    };
  }
  if (combiningRun.test(s))
    return {
      code: 'unsupported_characters',
      message: `Die Eingabe enthält mehr als ${MAX_COMBINING} übereinandergesetzte diakritische Zeichen.`,
      messageEn: `The input stacks more than ${MAX_COMBINING} combining marks on one letter.`,
    };
  return undefined;
}

/** Every string, key and nesting in a JSON value that intake must refuse, with RFC 6901 pointers relative to it. */
export function unsafeText(value: unknown, pointer = '', depth = 0): FieldError[] {
  const at = (p: Problem, where = pointer): FieldError => ({ pointer: where, ...p });
  if (typeof value === 'string') {
    const p = textProblem(value);
    return p ? [at(p)] : [];
  }
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? []
      : [at({ code: 'invalid_number', message: 'Die Zahl ist ungültig.', messageEn: 'The number is not finite.' })];
  }
  if (value === null || typeof value !== 'object') return [];
  if (depth >= TEXT_LIMITS.depth)
    return [
      at({
        code: 'too_deep',
        message: 'Die Angaben sind zu tief verschachtelt.',
        messageEn: 'The input is nested too deeply.',
      }),
    ];
  if (Array.isArray(value)) {
    if (value.length > TEXT_LIMITS.arrayItems)
      return [
        at({ code: 'too_many_items', message: 'Die Liste ist zu lang.', messageEn: 'The list has too many items.' }),
      ];
    return value.flatMap((v, i) => unsafeText(v, `${pointer}/${i}`, depth + 1));
  }
  return Object.entries(value).flatMap(([k, v]) => {
    const where = `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    // A bad key cannot be shown in a pointer either: point at its parent.
    const keyProblem = textProblem(k, TEXT_LIMITS.keyLength);
    return keyProblem ? [at(keyProblem, pointer)] : unsafeText(v, where, depth + 1);
  });
}

import type { FieldError } from '../contracts/case.js';

// What intake accepts must fit in PostgreSQL (no NUL, no lone surrogates), render in the Bescheid's standard PDF fonts
// (WinAnsi) and go into a prompt as plain text (no control, bidi or invisible characters: none of them is WinAnsi).

export const TEXT_LIMITS = { stringLength: 5_000, keyLength: 100, depth: 8, arrayItems: 200 } as const;

// WinAnsi's characters above ASCII that are not Latin-1 (0x80–0x9F in the encoding).
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
// Tab, line feed and carriage return are the only control characters a form field may carry.
const allowedControl = new Set([0x09, 0x0a, 0x0d]);

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The same rule as a JSON Schema pattern, for texts staff and applicants write through the API (justifications, replies). */
export const PRINTABLE_TEXT_PATTERN = `^[\\t\\n\\r\\x20-\\x7e\\xa0-\\xff${[...WIN_ANSI_EXTRA].join('')}]*$`;

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
    if (cp === 0 || (cp < 0x20 && !allowedControl.has(cp)) || (cp >= 0x7f && cp < 0xa0)) {
      return {
        code: 'invalid_characters',
        message: 'Die Eingabe enthält Steuerzeichen.',
        messageEn: 'The input contains control characters.',
      };
    }
    if (cp > 0xff && !WIN_ANSI_EXTRA.has(ch)) {
      return {
        code: 'unsupported_characters',
        message: `Das Zeichen „${cp <= 0xffff && !/\p{C}/u.test(ch) ? ch : `U+${cp.toString(16).toUpperCase()}`}“ kann im Bescheid nicht gedruckt werden.`,
        messageEn: `The character U+${cp.toString(16).toUpperCase().padStart(4, '0')} cannot be printed in the decision letter.`,
      };
    }
  }
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

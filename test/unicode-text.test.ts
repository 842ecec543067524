import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { documentFonts } from '../adapters/documents/fonts.js';
import { acceptedCodePoints, PRINTABLE_TEXT_PATTERN, textProblem } from '../services/safe-text.js';
import { testDeps, withWorker } from './harness.js';
import { apiFor, idp } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';

describe('text intake accepts: every letter of European names that the Bescheid can print', () => {
  it('every accepted character has a glyph in both embedded fonts (DejaVu Sans and DejaVu Sans Bold)', () => {
    const { regular, bold } = documentFonts();
    const fonts = [regular, bold].map(
      (f) => fontkit.create(readFileSync(f)) as { hasGlyphForCodePoint(cp: number): boolean },
    );
    const accepted = acceptedCodePoints();
    expect(accepted.length).toBeGreaterThan(1_400);
    const missing = accepted.filter((cp) => cp > 0x20 && !fonts.every((f) => f.hasGlyphForCodePoint(cp)));
    expect(missing.map((cp) => cp.toString(16))).toEqual([]);
  });

  it('takes Polish, Turkish, Vietnamese (composed or decomposed), Greek and Cyrillic names, and typographic punctuation', () => {
    for (const s of [
      'Łukasz Ğündoğan',
      'Nguyễn Thị Minh Khai',
      'Nguye\u0302\u0303n', // NFD: e + circumflex + tilde
      'Ζωή Παπαδοπούλου',
      'Анна Петрова',
      'Șerban Ćosić-Øberg',
      'Straße „Am Grün“ – 1½ € ‰ №',
    ]) {
      expect(textProblem(s), s).toBeUndefined();
      expect(new RegExp(PRINTABLE_TEXT_PATTERN, 'u').test(s), s).toBe(true);
      expect(new RegExp(PRINTABLE_TEXT_PATTERN).test(s), s).toBe(true);
    }
  });

  it('still refuses control, invisible, bidi, separator, private-use and unprintable characters, each with a clear message', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['a\u0000b', 'invalid_characters', /Steuerzeichen/],
      ['a\u0085b', 'invalid_characters', /Steuerzeichen/],
      ['a\u202eb', 'unsupported_characters', /unsichtbare oder unzulässige Zeichen U\+202E/],
      ['a\u200bb', 'unsupported_characters', /U\+200B/],
      ['a\u2028b', 'unsupported_characters', /U\+2028/],
      ['a\ue000b', 'unsupported_characters', /U\+E000/],
      ['a\uffffb', 'unsupported_characters', /U\+FFFF/],
      ['市場', 'unsupported_characters', /„市“ \(U\+5E02\) kann im Bescheid nicht gedruckt werden/],
      ['🚲', 'unsupported_characters', /U\+1F6B2/],
      ['Mu\u0301\u0302\u0303ster', 'unsupported_characters', /mehr als 2 übereinandergesetzte/],
      ['Mu\u0336ster', 'unsupported_characters', /U\+0336/],
    ];
    for (const [s, code, message] of cases) {
      expect(textProblem(s), JSON.stringify(s)).toMatchObject({ code, message: expect.stringMatching(message) });
      if (!s.includes('\u0301')) expect(new RegExp(PRINTABLE_TEXT_PATTERN, 'u').test(s), JSON.stringify(s)).toBe(false);
    }
  });
});

describe('a name beyond WinAnsi, end to end', () => {
  it('is accepted at intake over HTTP and printed in the sealed Bescheid (text as pdfminer.six extracts it)', async () => {
    const a = applicationOf('resident', 11);
    const address = { ...(a.application['address'] as Record<string, string>), street: 'Đường Lê Lợi 5' };
    const { pdf } = await withWorker(async (e) => {
      const api = await apiFor(e);
      const res = await api.inject({
        method: 'POST',
        url: '/cases',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          serviceKey: a.serviceKey,
          authorityId: a.authorityId,
          identityToken: await idp.issue({
            subject: a.identity.subject,
            trustLevel: a.identity.trustLevel,
            name: { givenName: 'Łukasz Nguyễn', familyName: 'Ğündoğan' },
          }),
          application: { ...a.application, address },
          consent: a.consent,
        }),
      });
      expect(res.statusCode, res.body).toBe(202);
      const { caseId } = res.json() as { caseId: string };
      const result = await e.cases.result(caseId);
      return { caseId, pdf: await testDeps().documents.get(result.bescheid.document.sha256) };
    });
    const { text } = await inspectPdf(pdf);
    expect(text).toContain('Łukasz Nguyễn Ğündoğan');
    expect(text).toContain('Đường Lê Lợi 5');
    expect(text).toContain('Guten Tag Łukasz Nguyễn Ğündoğan,');
  }, 90_000); // a case end to end over HTTP, with its sealed Bescheid
});

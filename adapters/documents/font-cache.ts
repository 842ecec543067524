// Fonts parsed once per process. fontkit reads a font's tables lazily and keeps them, and its layout engine, on the font
// object; pdfkit and pdf-lib create a new font object for every document, so each Bescheid and each seal decoded
// DejaVu's tables (GSUB, GPOS, glyf …) again: the largest share of a case's CPU in the benchmark's profile.
// A font object is read-only once parsed (subsets are made per document), so documents can share it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import pdfLibFontkit from '@pdf-lib/fontkit';
import { documentFonts } from './fonts.js';

const require = createRequire(import.meta.url);

/** The bytes of each font file, read once; the same Buffer each time, so the parsed font can be found by identity. */
const bytes = new Map<string, Buffer>();
export function fontBytes(path: string): Buffer {
  let b = bytes.get(path);
  if (!b) {
    b = readFileSync(path);
    bytes.set(path, b);
  }
  return b;
}

/** The regular and bold document fonts as bytes (see `documentFonts`). */
export const documentFontBytes = () => {
  const f = documentFonts();
  return { regular: fontBytes(f.regular), bold: fontBytes(f.bold) };
};

type Create<F> = (src: Uint8Array, postscriptName?: string) => F;
function memo<F>(create: Create<F>): Create<F> {
  const parsed = new WeakMap<Uint8Array, Map<string, F>>();
  return (src, postscriptName) => {
    let byName = parsed.get(src);
    if (!byName) {
      byName = new Map();
      parsed.set(src, byName);
    }
    const key = postscriptName ?? '';
    let font = byName.get(key);
    if (font === undefined) {
      font = create(src, postscriptName);
      byName.set(key, font);
    }
    return font;
  };
}

/** pdf-lib's fontkit, parsing each font's bytes once: `doc.registerFontkit(cachedFontkit)`. */
export const cachedFontkit = { ...pdfLibFontkit, create: memo(pdfLibFontkit.create.bind(pdfLibFontkit)) };

// pdfkit calls `require('fontkit').create` for each document: its module is given a memoising `create` before pdfkit
// loads, here, and nothing else in the engine loads pdfkit (adapters/documents/bescheid-pdf.ts takes it from this module).
const fontkitPath = require.resolve('fontkit');
require('fontkit');
const fontkitModule = require.cache[fontkitPath];
if (fontkitModule) {
  const original = fontkitModule.exports as { create: Create<unknown> };
  fontkitModule.exports = { ...original, create: memo(original.create.bind(original)) };
}
/** pdfkit's document class, loaded after fontkit's memoising `create` is in place. */
export const PDFDocument: typeof import('pdfkit') = require('pdfkit');

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

/**
 * What pdfkit lays out again for every document is the same for every Bescheid of a template: the shaped words (its
 * layout cache lives on a per-document font object) and the font subsets (encoded from the glyphs a document used, in
 * the order it used them). Both are kept per parsed font instead: words in a bounded cache, and each subset starts
 * with the same fixed glyphs (the characters of German text), so Bescheide of one template share one encoded subset.
 */
const FIXED_CHARACTERS = `${Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('')}ÄÖÜäöüßéèáàçñ–…§€„“‚‘`;
const CACHE_LIMIT = 20_000;
interface Glyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface EmbeddedFontInternals {
  font: { glyphForCodePoint(c: number): Glyph; createSubset(): unknown };
  subset: { glyphs: number[]; includeGlyph(id: number): number; encode(): Uint8Array };
  widths: number[];
  unicode: number[][];
  scale: number;
  layoutRun(text: string): unknown;
  layoutCached(text: string): unknown;
  encode(text: string, features?: unknown): unknown;
  embed(): unknown;
}
const words = new WeakMap<object, Map<string, unknown>>();
const subsets = new WeakMap<object, Map<string, Uint8Array>>();
const fixedSubset = new WeakSet<object>();
{
  const probe = new PDFDocument({ autoFirstPage: false, font: null as unknown as string });
  probe.registerFont('probe', documentFontBytes().regular);
  probe.font('probe');
  const proto = Object.getPrototypeOf((probe as unknown as { _font: object })._font) as EmbeddedFontInternals;
  const { encode, embed } = proto;
  proto.layoutCached = function (this: EmbeddedFontInternals, text: string) {
    let cache = words.get(this.font);
    if (!cache) words.set(this.font, (cache = new Map()));
    let run = cache.get(text);
    if (run === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      run = this.layoutRun(text);
      cache.set(text, run);
    }
    return run;
  };
  proto.encode = function (this: EmbeddedFontInternals, text: string, features?: unknown) {
    if (!fixedSubset.has(this)) {
      fixedSubset.add(this);
      for (const c of FIXED_CHARACTERS) {
        const glyph = this.font.glyphForCodePoint(c.codePointAt(0)!);
        const gid = this.subset.includeGlyph(glyph.id);
        this.widths[gid] ??= glyph.advanceWidth * this.scale;
        this.unicode[gid] ??= glyph.codePoints;
      }
    }
    return encode.call(this, text, features);
  };
  proto.embed = function (this: EmbeddedFontInternals) {
    let cache = subsets.get(this.font);
    if (!cache) subsets.set(this.font, (cache = new Map()));
    const key = this.subset.glyphs.join(',');
    const subset = this.subset;
    const encodeSubset = subset.encode.bind(subset);
    subset.encode = () => {
      let bytes = cache.get(key);
      if (!bytes) {
        if (cache.size >= 64) cache.clear();
        bytes = encodeSubset();
        cache.set(key, bytes);
      }
      return bytes;
    };
    return embed.call(this);
  };
}

import {
  PDFDocument,
  PDFObjectCopier,
  degrees,
  drawRectangle,
  drawText,
  PDFHexString,
  rgb,
  type PDFContext,
  type PDFFont,
  type PDFOperator,
  type PDFRef,
} from 'pdf-lib';
import QRCode from 'qrcode';
import { cachedFontkit, fontBytes } from './font-cache.js';
import { documentFonts } from './fonts.js';
import { germanDateTime } from './german-time.js';

/** Characters every seal mark may use; a holder's other characters get a font of their own (once per holder). */
const BASE_CHARACTERS = `${Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('')}ÄÖÜäöüßéèáàçñ–…§€„“`;

/** The seal mark's font subset, embedded once per process and character set, copied into each sealed PDF. */
export interface SealMarkFont {
  font: PDFFont;
  context: PDFContext;
}

const fonts = new Map<string, Promise<SealMarkFont>>();

/**
 * The embedded font (DejaVu Sans, a fixed subset) for seal marks that use these texts. The subset and its name are
 * fixed, so the same seal mark always gives the same bytes.
 */
export function sealMarkFont(texts: string[]): Promise<SealMarkFont> {
  const extra = [...new Set(texts.join(''))]
    .filter((c) => !BASE_CHARACTERS.includes(c))
    .sort()
    .join('');
  let font = fonts.get(extra);
  if (!font) {
    font = (async () => {
      const scratch = await PDFDocument.create({ updateMetadata: false });
      scratch.registerFontkit(cachedFontkit);
      const embedded = await scratch.embedFont(fontBytes(documentFonts().regular), {
        subset: true,
        customName: 'DejaVuSans-Seal',
        // One glyph per character: no ligature may need a glyph outside the fixed subset.
        features: { liga: false, clig: false, dlig: false, calt: false, rlig: false },
      });
      embedded.encodeText(BASE_CHARACTERS + extra);
      await scratch.flush();
      return { font: embedded, context: scratch.context };
    })();
    fonts.set(extra, font);
  }
  return font;
}

/** The font's objects copied into another PDF's context; the reference of its font dictionary there. */
export const copyFontInto = (f: SealMarkFont, context: PDFContext): PDFRef =>
  PDFObjectCopier.for(f.context, context).copy(f.font.ref);

/** Each character's glyph in the fixed subset, as hex; laid out once per font, not per seal. */
const glyphHex = new WeakMap<SealMarkFont, Map<string, string>>();
function encode(f: SealMarkFont, text: string): PDFHexString {
  let glyphs = glyphHex.get(f);
  if (!glyphs) glyphHex.set(f, (glyphs = new Map()));
  let hex = '';
  for (const c of text) {
    let g = glyphs.get(c);
    if (g === undefined) glyphs.set(c, (g = f.font.encodeText(c).asString()));
    hex += g;
  }
  return PDFHexString.of(hex);
}

/** Where the mark sits on the page (PDF user space, origin bottom left). */
export const SEAL_MARK_BOX = [48, 32, 540, 132] as const;

/**
 * The visible seal mark at the foot of the page, as the content of a form XObject drawn on every page: who sealed,
 * when, and a QR code with the public verification address. Drawn with the font under `fontName` in its resources.
 */
export function sealMarkContent(
  f: SealMarkFont,
  fontName: string,
  m: { holder: string; sealedAt: Date; verificationUrl: string },
): string {
  const qr = QRCode.create(m.verificationUrl, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const box = 84;
  const cell = box / (size + 8);
  const x0 = 56;
  const y0 = 40;
  const none = degrees(0);
  const ops: PDFOperator[] = drawRectangle({
    x: x0 - 4,
    y: y0 - 4,
    width: 483.28,
    height: box + 8,
    borderWidth: 0.8,
    color: undefined,
    borderColor: rgb(0.2, 0.2, 0.4),
    rotate: none,
    xSkew: none,
    ySkew: none,
  });
  const lines = [
    'Elektronisch gesiegelt',
    `Siegel: ${m.holder}`,
    `Zeitpunkt: ${germanDateTime(m.sealedAt)}`,
    'Echtheit prüfen: QR-Code scannen oder',
    m.verificationUrl,
  ];
  lines.forEach((text, i) =>
    ops.push(
      ...drawText(encode(f, text), {
        color: rgb(0, 0, 0),
        font: fontName,
        size: i === 4 ? 7.5 : 9,
        rotate: none,
        xSkew: none,
        ySkew: none,
        x: x0 + box + 10,
        y: y0 + box - 14 - i * 14,
      }),
    ),
  );
  // All dark modules as rectangles of one filled path: cheap to write, vector, byte-for-byte reproducible.
  const n = (v: number) => String(Math.round(v * 1000) / 1000);
  const modules: string[] = [];
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (qr.modules.get(row, col))
        modules.push(`${n(x0 + (col + 4) * cell)} ${n(y0 + box - (row + 5) * cell)} ${n(cell)} ${n(cell)} re`);
    }
  }
  return `${ops.join('\n')}\nq\n0 0 0 rg\n${modules.join('\n')}\nf\nQ\n`;
}

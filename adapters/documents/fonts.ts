import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's fonts-dejavu-core: PDF/A needs every font embedded, and DejaVu covers German text. */
export const DEFAULT_FONT_DIR = '/usr/share/fonts/truetype/dejavu';

export interface DocumentFonts {
  regular: string;
  bold: string;
}

/** Paths of the TrueType fonts documents embed; a clear error names the package when they are missing. */
export function documentFonts(dir = process.env['PDF_FONT_DIR'] ?? DEFAULT_FONT_DIR): DocumentFonts {
  const fonts = { regular: join(dir, 'DejaVuSans.ttf'), bold: join(dir, 'DejaVuSans-Bold.ttf') };
  for (const file of Object.values(fonts)) {
    if (!existsSync(file)) throw new Error(`font ${file} not found: install fonts-dejavu-core or set PDF_FONT_DIR`);
  }
  return fonts;
}

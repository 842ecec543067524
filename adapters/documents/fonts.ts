import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * DejaVu Sans 2.37 from the npm package `dejavu-fonts-ttf` (upstream's release files; the same glyphs as Debian's
 * fonts-dejavu-core), so a machine without system fonts renders Bescheide. PDF/A needs every font embedded, and
 * DejaVu covers German text.
 */
export const DEFAULT_FONT_DIR = join(
  dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);

export interface DocumentFonts {
  regular: string;
  bold: string;
}

/** Paths of the TrueType fonts documents embed; a clear error names what is missing. */
export function documentFonts(dir = process.env['PDF_FONT_DIR'] ?? DEFAULT_FONT_DIR): DocumentFonts {
  const fonts = { regular: join(dir, 'DejaVuSans.ttf'), bold: join(dir, 'DejaVuSans-Bold.ttf') };
  for (const file of Object.values(fonts)) {
    if (!existsSync(file))
      throw new Error(
        `font ${file} not found: set PDF_FONT_DIR to a folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf`,
      );
  }
  return fonts;
}

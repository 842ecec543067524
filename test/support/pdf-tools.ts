import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const python = fileURLToPath(new URL('../../.tools/pdf/bin/python', import.meta.url));
const script = fileURLToPath(new URL('./pdf-inspect.py', import.meta.url));

/** What pyHanko found for one signature field; `padesLevel` is the PAdES baseline level it reaches, if any. */
export interface PdfSignatureReport {
  /** null where pyHanko could not read the file at all (then `error` says why). */
  field: string | null;
  subFilter?: string;
  intact: boolean;
  valid: boolean;
  trusted: boolean;
  coverage?: 'ENTIRE_FILE' | 'ENTIRE_REVISION' | 'CONTIGUOUS_BLOCK_FROM_START' | 'UNCLEAR' | null;
  /** The signer certificate's common name. */
  signer?: string;
  signedAttributes?: string[];
  timestamp?: string | null;
  padesLevel?: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;
  error?: string;
}

/** What independent PDF tools (pdfminer.six, pikepdf, pyHanko; test/support/pdf-inspect.py) read in a PDF. */
export interface PdfReport {
  text: string;
  tagged: boolean;
  lang: string;
  pages: number;
  structure: Array<{ type: string; depth: number; text: string }>;
  fonts: Array<{ name: string; type: string; embedded: boolean; unicode: boolean }>;
  signatures?: PdfSignatureReport[];
}

/** Where the PDF tools are missing, the reason; `npm run setup -- --tests` installs them. */
export const pdfToolsMissing = (): string | undefined =>
  existsSync(python) ? undefined : `${python} is missing: run npm run setup -- --tests`;

/**
 * Reads a PDF with tools that share no code with the engine. With `trustAnchors` (PEM certificates), pyHanko also
 * validates every signature against them.
 */
export async function inspectPdf(pdf: Uint8Array, options: { trustAnchors?: string[] } = {}): Promise<PdfReport> {
  const missing = pdfToolsMissing();
  if (missing) throw new Error(missing);
  const dir = await mkdtemp(join(tmpdir(), 'ozg-pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    await writeFile(file, pdf);
    const args = [script, file];
    for (const [i, pem] of (options.trustAnchors ?? []).entries()) {
      await writeFile(join(dir, `trust-${i}.pem`), pem);
      args.push('--trust', join(dir, `trust-${i}.pem`));
    }
    if (options.trustAnchors) args.push('--signatures');
    const { stdout } = await run(python, args, { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as PdfReport;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

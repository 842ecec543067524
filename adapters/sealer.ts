import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument } from 'pdf-lib';
import { cachedFontkit, fontBytes } from './documents/font-cache.js';
import { documentFonts } from './documents/fonts.js';
import { drawSealMark } from './documents/seal-mark.js';
import { drawAsFigure } from './documents/tag-seal-mark.js';
import type { SealKeyStore } from './seal-keys.js';

export interface SealRequest {
  authorityId: string;
  authorityName: string;
  pdf: Uint8Array;
  /** Taken from the case, never the clock, so sealing the same decision again gives the same bytes. */
  signingTime: Date;
  verificationUrl: string;
}

export interface SealedPdf {
  pdf: Buffer;
  /** Seal certificate fingerprint, `<authority>#<sha256 prefix>`. */
  keyId: string;
}

/** Seals a PDF with the authority's key. */
export interface Sealer {
  seal(request: SealRequest): Promise<SealedPdf>;
}

/**
 * A PAdES signature embedded in the PDF (ETSI.CAdES.detached, RSA with SHA-256) over a visible seal mark with a QR
 * code, tagged as a figure with alternative text and drawn in an embedded font so a PDF/A Bescheid stays PDF/A.
 * RSA PKCS#1 v1.5 signatures are deterministic, so without a timestamp the same request yields the same bytes.
 */
export class PdfSealer implements Sealer {
  constructor(private readonly keys: SealKeyStore) {}

  async seal(r: SealRequest): Promise<SealedPdf> {
    const key = await this.keys.keyFor(r.authorityId);
    const doc = await PDFDocument.load(r.pdf, { updateMetadata: false });
    doc.registerFontkit(cachedFontkit);
    // A fixed name instead of pdf-lib's random suffix keeps the sealed bytes reproducible.
    const font = await doc.embedFont(fontBytes(documentFonts().regular), {
      subset: true,
      customName: 'DejaVuSans-Seal',
    });
    const mark = { holder: key.holder, sealedAt: r.signingTime, verificationUrl: r.verificationUrl };
    const alt =
      `Elektronisches Siegel von ${key.holder}, angebracht am ${r.signingTime.toISOString().slice(0, 10)}; ` +
      `QR-Code mit der Prüfadresse ${r.verificationUrl}`;
    // Every page carries the mark, so an attached certificate shown alone can be checked too.
    for (const page of doc.getPages()) drawAsFigure(doc, page, alt, () => drawSealMark(page, font, mark));
    pdflibAddPlaceholder({
      pdfDoc: doc,
      reason: 'Elektronisches Siegel der Behörde',
      contactInfo: r.authorityName,
      name: key.holder,
      location: r.authorityName,
      signingTime: r.signingTime,
      signatureLength: 16_384,
      appName: 'ozg-case-engine',
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    });
    const prepared = Buffer.from(await doc.save({ useObjectStreams: false }));
    const pdf = await new SignPdf().sign(prepared, key.signer, r.signingTime);
    return { pdf, keyId: `${r.authorityId}#${key.fingerprint.slice(0, 16)}` };
  }
}

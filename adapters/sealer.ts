import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { drawSealMark } from '../documents/seal-mark.js';
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
 * An embedded CMS signature in the PDF (adbe.pkcs7.detached, RSA with SHA-256) over a visible seal mark with a
 * QR code. RSA PKCS#1 v1.5 signatures are deterministic, so the same request always yields the same sealed bytes.
 */
export class PdfSealer implements Sealer {
  constructor(private readonly keys: SealKeyStore) {}

  async seal(r: SealRequest): Promise<SealedPdf> {
    const key = await this.keys.keyFor(r.authorityId);
    const doc = await PDFDocument.load(r.pdf, { updateMetadata: false });
    const font = await doc.embedFont(StandardFonts.Helvetica);
    // Every page carries the mark, so an attached certificate shown alone can be checked too.
    for (const page of doc.getPages()) drawSealMark(page, font, { holder: key.holder, sealedAt: r.signingTime, verificationUrl: r.verificationUrl });
    pdflibAddPlaceholder({
      pdfDoc: doc,
      reason: 'Elektronisches Siegel der Behörde',
      contactInfo: r.authorityName,
      name: key.holder,
      location: r.authorityName,
      signingTime: r.signingTime,
      signatureLength: 16_384,
      appName: 'ozg-case-engine',
    });
    const prepared = Buffer.from(await doc.save({ useObjectStreams: false }));
    const pdf = await new SignPdf().sign(prepared, key.signer, r.signingTime);
    return { pdf, keyId: `${r.authorityId}#${key.fingerprint.slice(0, 16)}` };
  }
}

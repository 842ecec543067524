// The sealer as it was before the incremental update (issue 29): the whole PDF loaded and saved with pdf-lib, the
// CMS from the key's @signpdf signer. Kept only as the benchmark's "before" (bench/bescheid-cost.ts).
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument } from 'pdf-lib';
import { cachedFontkit, fontBytes } from '../../adapters/documents/font-cache.js';
import { documentFonts } from '../../adapters/documents/fonts.js';
import { drawSealMark } from './seal-mark.js';
import { drawAsFigure } from './tag-seal-mark.js';
import type { SealKeyStore } from '../../adapters/seal-keys.js';
import type { SealedPdf, Sealer, SealRequest } from '../../adapters/sealer.js';

export class PdfLibSealer implements Sealer {
  constructor(private readonly keys: SealKeyStore) {}

  async seal(r: SealRequest): Promise<SealedPdf> {
    const key = await this.keys.keyFor(r.authorityId);
    const doc = await PDFDocument.load(r.pdf, { updateMetadata: false });
    doc.registerFontkit(cachedFontkit);
    const font = await doc.embedFont(fontBytes(documentFonts().regular), {
      subset: true,
      customName: 'DejaVuSans-Seal',
    });
    const mark = { holder: key.holder, sealedAt: r.signingTime, verificationUrl: r.verificationUrl };
    const alt =
      `Elektronisches Siegel von ${key.holder}, angebracht am ${r.signingTime.toISOString().slice(0, 10)}; ` +
      `QR-Code mit der Prüfadresse ${r.verificationUrl}`;
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

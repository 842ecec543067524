import { Buffer } from 'node:buffer';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { renderBescheidPdf } from '../adapters/documents/bescheid-pdf.js';
import { PdfSealer } from '../adapters/sealer.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { sampleBescheid } from '../bench/sample-bescheid.js';
import { sealKeys } from './harness.js';

const request = (pdf: Uint8Array) => ({
  authorityId: 'stadt-musterstadt',
  authorityName: 'Stadt Musterstadt',
  pdf,
  signingTime: new Date('2026-11-05T10:00:00Z'),
  verificationUrl: 'https://musterstadt.example/verify/0123456789abcdef',
});

describe('the seal as an incremental update', () => {
  it('keeps the rendered Bescheid byte for byte as the first revision and appends one that verifies', async () => {
    const rendered = await renderBescheidPdf(sampleBescheid(7));
    const sealed = (await new PdfSealer(sealKeys).seal(request(rendered))).pdf;
    expect(Buffer.from(sealed.subarray(0, rendered.byteLength)).equals(Buffer.from(rendered))).toBe(true);
    const update = sealed.subarray(rendered.byteLength).toString('latin1');
    expect(update).toMatch(/\/Prev \d+/);
    expect((await verifySealedPdf(sealed, await sealKeys.trustAnchors())).valid).toBe(true);
    // Every page shows the mark, and the document still reads as two pages.
    const doc = await PDFDocument.load(sealed);
    expect(doc.getPageCount()).toBe(2);
    expect(update.match(/\/XSeal Do/g)).toHaveLength(2);
  });

  it('seals a PDF written with cross-reference streams, or updated before, too (rewritten once with a table)', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const sealer = new PdfSealer(sealKeys);
    const sealed = (await sealer.seal(request(await doc.save()))).pdf;
    expect((await verifySealedPdf(sealed, await sealKeys.trustAnchors())).valid).toBe(true);
    const resealed = (await sealer.seal(request(sealed))).pdf;
    expect((await verifySealedPdf(resealed, await sealKeys.trustAnchors())).valid).toBe(true);
  });

  it('the same request gives the same bytes', async () => {
    const rendered = await renderBescheidPdf(sampleBescheid(8));
    const sealer = new PdfSealer(sealKeys);
    const [a, b] = [await sealer.seal(request(rendered)), await sealer.seal(request(rendered))];
    expect(a.pdf.equals(b.pdf)).toBe(true);
  });
});

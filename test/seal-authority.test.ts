import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { PdfSealer } from '../adapters/sealer.js';
import { DemoSealKeyStore } from '../dev/demo-seal-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'ozg-seal-authority-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the seal verifier checks the sealing authority's own certificate", () => {
  it("accepts the authority's own certificate and refuses another authority's under the same trust anchors", async () => {
    const keys = new DemoSealKeyStore(dir);
    const doc = await PDFDocument.create();
    doc.addPage();
    const sealed = await new PdfSealer(keys).seal({
      authorityId: 'stadt-musterstadt',
      authorityName: 'Stadt Musterstadt',
      pdf: await doc.save(),
      signingTime: new Date('2026-05-04T10:00:00Z'),
      verificationUrl: 'https://verify.test/x',
    });
    const anchors = await keys.trustAnchors();
    const own = (await keys.keyFor('stadt-musterstadt')).fingerprint;
    const other = (await keys.keyFor('gemeinde-beispieldorf')).fingerprint;
    expect(sealed.keyId).toBe(`stadt-musterstadt#${own.slice(0, 16)}`);

    // Both certificates chain to the demo CA: without the authority's fingerprint either would pass.
    expect((await verifySealedPdf(sealed.pdf, anchors)).valid).toBe(true);
    expect(await verifySealedPdf(sealed.pdf, anchors, { sealCertificateSha256: own.slice(0, 16) })).toMatchObject({
      valid: true,
    });
    expect(await verifySealedPdf(sealed.pdf, anchors, { sealCertificateSha256: other.slice(0, 16) })).toMatchObject({
      valid: false,
      reason: "the seal certificate is not the sealing authority's own",
    });
    expect((await verifySealedPdf(sealed.pdf, anchors, { sealCertificateSha256: '' })).valid).toBe(false);
  });
});

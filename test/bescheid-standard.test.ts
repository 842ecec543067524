import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../adapters/cms-signed-data.js';
import { DemoSealKeyStore } from '../dev/demo-seal-keys.js';
import { PdfSealer } from '../adapters/sealer.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { HttpTimestampAuthority, tstInfoOf, type TimestampAuthority } from '../adapters/timestamp.js';
import { createDocumentActivities } from '../activities/documents.js';
import type { CaseResult } from '../workflows/contracts/case.js';
import { startTsaSandbox, type TsaSandbox } from '../dev/stand-ins/tsa/server.js';
import { dataDir, sealKeys, testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { inspectPdf } from './support/pdf-tools.js';

const AUTHORITY = 'stadt-musterstadt';

/** The CMS SignedData embedded in a sealed PDF (the last /Contents hex string). */
function cmsOf(pdf: Buffer): pkijs.SignedData {
  const hex = [...pdf.toString('latin1').matchAll(/\/Contents\s*<([0-9a-fA-F]+)>/g)].at(-1)![1]!;
  const der = Buffer.from(hex, 'hex');
  const parsed = asn1js.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer);
  return new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: parsed.result }).content });
}

/** Alternative texts of all Figure structure elements. */
function figureAlts(doc: PDFDocument): string[] {
  const alts: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFDict && obj.get(PDFName.of('S')) === PDFName.of('Figure')) {
      const alt = obj.get(PDFName.of('Alt'));
      alts.push(alt instanceof PDFHexString ? alt.decodeText() : String(alt));
    }
  }
  return alts;
}

describe('the Bescheid to standard: addressed, tagged PDF/A, PAdES seal', () => {
  const submission = { ...applicationOf('resident', 4) };
  submission.identity = { ...submission.identity, name: { givenName: 'Erika', familyName: 'Mustermann' } };
  let result: CaseResult;
  let sealed: Buffer;

  beforeAll(async () => {
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit(submission);
      result = await cases.result(caseId);
    });
    sealed = await testDeps().documents.get(result.bescheid.document.sha256);
  });

  it('addresses the applicant by name and postal address, with date of application, Aktenzeichen, tenor, reasons, fees and remedy', async () => {
    expect(result.outcome).toBe('approved');
    // The structure tree as pikepdf and pdfminer.six read it: each element with the text of its marked content.
    const { structure } = await inspectPdf(sealed);
    const texts = structure.map((e) => e.text);
    const address = submission.application['address'] as { street: string; postalCode: string; city: string };
    expect(texts).toContain(`Erika Mustermann${address.street}${address.postalCode} ${address.city}`);
    // The Aktenzeichen of the case's Akte: the authority's prefix, the year and its running number.
    expect(texts.some((t) => /Aktenzeichen: 32\.1-BPA\/\d{4}\/\d{5}/.test(t))).toBe(true);
    expect(texts.some((t) => /Ihr Antrag vom: \d{2}\.\d{2}\.\d{4}/.test(t))).toBe(true);
    expect(structure).toContainEqual(expect.objectContaining({ type: 'P', text: 'Guten Tag Erika Mustermann,' }));
    const headings = (type: string) => structure.filter((e) => e.type === type).map((e) => e.text);
    expect(headings('H2')).toEqual(
      expect.arrayContaining(['Entscheidung', 'Gründe', 'Gebühren', 'Rechtsbehelfsbelehrung']),
    );
    expect(headings('H1')).toContainEqual(expect.stringMatching(/^Bescheid: Bewohnerparkausweis/));
    expect(
      texts.some((t) =>
        t.includes('Anschrift: Stadt Musterstadt, Straßenverkehrsbehörde, Rathausplatz 1, 48143 Musterstadt.'),
      ),
    ).toBe(true);
  });

  it('is tagged PDF/A-2a: structure tree, language, XMP identification, every font embedded, the seal mark a figure with alt text', async () => {
    const report = await inspectPdf(sealed);
    expect(report.tagged).toBe(true);
    const doc = await PDFDocument.load(sealed);
    expect(String(doc.catalog.get(PDFName.of('Lang')))).toBe('(de-DE)');
    const metadata = doc.catalog.lookup(PDFName.of('Metadata')) as PDFRawStream;
    const xmp = Buffer.from(decodePDFRawStream(metadata).decode()).toString('utf8');
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(xmp).toMatch(/<pdfaid:conformance>A<\/pdfaid:conformance>/);
    expect(doc.catalog.lookup(PDFName.of('OutputIntents'), PDFArray).size()).toBe(1);
    // Every font object (pikepdf): its program embedded and a ToUnicode map, so text extracts as written.
    expect(report.fonts.length).toBeGreaterThan(0);
    for (const font of report.fonts) expect(font, font.name).toMatchObject({ embedded: true, unicode: true });
    // One seal mark per page, each a Figure in the structure tree with a text that says what it shows.
    const alts = figureAlts(doc);
    expect(alts).toHaveLength(doc.getPageCount());
    for (const alt of alts) expect(alt).toContain(`Elektronisches Siegel von Siegel ${AUTHORITY} (Demo)`);
    expect(report.structure.filter((e) => e.type === 'Figure')).toHaveLength(doc.getPageCount());
  });

  it('is a PAdES B-B seal: ETSI.CAdES.detached, ESS signing-certificate-v2 over the seal certificate, no signing-time attribute', async () => {
    // pyHanko, against the demo CA: intact, valid, trusted, covering the whole file, at PAdES baseline level B-B.
    const { signatures } = await inspectPdf(sealed, { trustAnchors: await sealKeys.trustAnchors() });
    expect(signatures).toEqual([
      expect.objectContaining({
        subFilter: 'ETSI.CAdES.detached',
        intact: true,
        valid: true,
        trusted: true,
        coverage: 'ENTIRE_FILE',
        padesLevel: 'B-B',
      }),
    ]);
    expect(signatures![0]!.signedAttributes).not.toContain('signing_time');
    const check = await verifySealedPdf(sealed, await sealKeys.trustAnchors());
    expect(check).toMatchObject({ valid: true, profile: 'PAdES B-B' });
    expect(check.signedAt).toBeDefined();

    const cms = cmsOf(sealed);
    const attrs = cms.signerInfos[0]!.signedAttrs!.attributes;
    expect(attrs.map((a) => a.type)).not.toContain(OID.signingTime);
    const ess = attrs.find((a) => a.type === OID.signingCertificateV2)!;
    const certHash = (ess.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const firstId = certHash.valueBlock.value[0] as asn1js.Sequence;
    const hash = Buffer.from((firstId.valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView);
    const signerCert = cms.certificates!.find(
      (c): c is pkijs.Certificate =>
        c instanceof pkijs.Certificate &&
        c.subject.typesAndValues.some((t) => t.value.valueBlock.value === `Siegel ${AUTHORITY} (Demo)`),
    )!;
    expect(hash.equals(createHash('sha256').update(Buffer.from(signerCert.toSchema().toBER())).digest())).toBe(true);
  });
});

describe('PAdES B-T with an RFC 3161 timestamp authority', () => {
  let tsa: TsaSandbox;
  let requests = 0;
  let timestamps: TimestampAuthority;

  beforeAll(async () => {
    tsa = await startTsaSandbox({ host: '127.0.0.1', port: 0 });
    const inner = new HttpTimestampAuthority(tsa.url);
    // Counts requests, to prove a re-seal asks the authority nothing.
    timestamps = { timestampAttribute: (signature) => ((requests += 1), inner.timestampAttribute(signature)) };
  });
  afterAll(() => tsa.stop());

  it('adds a signature timestamp over the signature value that pyHanko (PAdES B-T) and the engine verifier accept', async () => {
    const keys = new DemoSealKeyStore(join(dataDir, `seal-tsa-${randomUUID()}`), undefined, timestamps);
    const doc = await PDFDocument.create();
    doc.addPage();
    const sealed = await new PdfSealer(keys).seal({
      authorityId: AUTHORITY,
      authorityName: 'Stadt Musterstadt',
      pdf: await doc.save(),
      signingTime: new Date('2026-03-01T10:00:00Z'),
      verificationUrl: 'http://verify.test/verify/x',
    });
    const check = await verifySealedPdf(sealed.pdf, await keys.trustAnchors());
    expect(check).toMatchObject({ valid: true, profile: 'PAdES B-T' });
    expect(Math.abs(Date.parse(check.timestampedAt!) - Date.now())).toBeLessThan(60_000);
    const { signatures } = await inspectPdf(sealed.pdf, { trustAnchors: await keys.trustAnchors() });
    expect(signatures).toEqual([
      expect.objectContaining({ intact: true, valid: true, trusted: true, coverage: 'ENTIRE_FILE', padesLevel: 'B-T' }),
    ]);

    const signer = cmsOf(sealed.pdf).signerInfos[0]!;
    const token = signer.unsignedAttrs!.attributes.find((a) => a.type === OID.signatureTimeStampToken)!;
    const imprint = tstInfoOf(new pkijs.ContentInfo({ schema: token.values[0] })).messageImprint.hashedMessage
      .valueBlock.valueHexView;
    const signatureValue = Buffer.from(signer.signature.valueBlock.valueHexView);
    expect(Buffer.from(imprint).equals(createHash('sha256').update(signatureValue).digest())).toBe(true);
  });

  it('re-sealing the same decision returns the first, timestamped result byte for byte, with no second timestamp', async () => {
    const keys = new DemoSealKeyStore(join(dataDir, `seal-tsa-${randomUUID()}`), undefined, timestamps);
    const deps = testDeps({ sealer: new PdfSealer(keys) });
    const acts = createDocumentActivities(deps);
    const caseId = randomUUID();
    const blank = await PDFDocument.create();
    blank.addPage();
    const source = await deps.documents.put(await blank.save(), 'application/pdf');
    const input = {
      caseId,
      serviceKey: '99050012104000',
      authorityId: AUTHORITY,
      document: source,
      sealedAt: '2026-03-01T10:00:00Z',
    };
    const before = requests;
    const first = await acts.sealBescheid(input);
    const second = await acts.sealBescheid(input);
    expect(second.document.sha256).toBe(first.document.sha256);
    expect(requests - before).toBe(1);
  });
});

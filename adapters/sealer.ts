import { SignPdf } from '@signpdf/signpdf';
import {
  ANNOTATION_FLAGS,
  DEFAULT_BYTE_RANGE_PLACEHOLDER,
  SIG_FLAGS,
  SUBFILTER_ETSI_CADES_DETACHED,
} from '@signpdf/utils';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { PdfIncrement } from './documents/pdf-increment.js';
import { copyFontInto, SEAL_MARK_BOX, sealMarkContent, sealMarkFont } from './documents/seal-mark.js';
import { tagAsFigure } from './documents/tag-seal-mark.js';
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

const SIGNATURE_LENGTH = 16_384;
const MARK_FONT = 'FSeal';
const MARK_FORM = 'XSeal';

/**
 * A PAdES signature embedded in the PDF (ETSI.CAdES.detached, RSA with SHA-256) over a visible seal mark with a QR
 * code, tagged as a figure with alternative text and drawn in an embedded font so a PDF/A Bescheid stays PDF/A.
 * The mark, the tags and the signature are an incremental update: the rendered document's bytes stay as they are and
 * only the objects that change are appended, so sealing never loads or writes the whole document.
 * RSA PKCS#1 v1.5 signatures are deterministic, so without a timestamp the same request yields the same bytes.
 */
export class PdfSealer implements Sealer {
  constructor(private readonly keys: SealKeyStore) {}

  async seal(r: SealRequest): Promise<SealedPdf> {
    const key = await this.keys.keyFor(r.authorityId);
    const u = PdfIncrement.of(r.pdf) ?? PdfIncrement.of(await rewrittenWithXrefTable(r.pdf));
    if (!u) throw new Error('PDF could not be read for sealing');
    const mark = { holder: key.holder, sealedAt: r.signingTime, verificationUrl: r.verificationUrl };
    const alt =
      `Elektronisches Siegel von ${key.holder}, angebracht am ${r.signingTime.toISOString().slice(0, 10)}; ` +
      `QR-Code mit der Prüfadresse ${r.verificationUrl}`;
    const font = await sealMarkFont([key.holder, r.verificationUrl]);
    const ctx = u.context;
    // The mark is drawn once, as a form XObject every page shows.
    const [x0, y0, x1, y1] = SEAL_MARK_BOX;
    const form = ctx.register(
      ctx.flateStream(sealMarkContent(font, MARK_FONT, mark), {
        Type: 'XObject',
        Subtype: 'Form',
        BBox: [x0, y0, x1, y1],
        Resources: { Font: { [MARK_FONT]: copyFontInto(font, ctx) } },
      }),
    );
    // The page's own content may leave its graphics state changed (pdfkit flips the y axis): it is wrapped in q … Q.
    const save = ctx.register(ctx.stream('q\n'));
    const pages = u.pages();
    // Every page carries the mark, so an attached certificate shown alone can be checked too.
    for (const pageRef of pages) {
      const page = u.resolve(pageRef, PDFDict);
      u.touch(pageRef);
      const drawn = ctx.register(ctx.stream(`Q\n${tagAsFigure(u, pageRef, alt, `/${MARK_FORM} Do\n`)}`));
      const contents = page.get(PDFName.of('Contents'));
      const old = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
      page.set(PDFName.of('Contents'), ctx.obj([save, ...old, drawn]));
      resourcesOf(u, pageRef, page, 'XObject').set(PDFName.of(MARK_FORM), form);
    }
    addSignatureField(u, pages[0]!, {
      reason: 'Elektronisches Siegel der Behörde',
      contactInfo: r.authorityName,
      name: key.holder,
      location: r.authorityName,
      signingTime: r.signingTime,
    });
    const pdf = await new SignPdf().sign(u.bytes(), key.signer, r.signingTime);
    return { pdf, keyId: `${r.authorityId}#${key.fingerprint.slice(0, 16)}` };
  }
}

/** One kind of the page's resources, ready for a new entry: the objects that hold them are marked changed. */
function resourcesOf(u: PdfIncrement, pageRef: PDFRef, page: PDFDict, kind: 'XObject'): PDFDict {
  const ctx = u.context;
  let entry = page.get(PDFName.of('Resources'));
  if (!entry) {
    // Inherited from the page tree: the page gets its own copy, so the parent's other pages stay as they are.
    for (let node = page; !entry; ) {
      const parent = node.get(PDFName.of('Parent'));
      if (!parent) break;
      node = u.resolve(parent, PDFDict);
      entry = node.get(PDFName.of('Resources'));
    }
    const inherited = u.resolveMaybe(entry, PDFDict);
    entry = inherited ? inherited.clone(ctx) : ctx.obj({});
    page.set(PDFName.of('Resources'), entry);
  }
  let holder = pageRef;
  if (entry instanceof PDFRef) {
    holder = entry;
    u.touch(entry);
  }
  const resources = u.resolve(entry, PDFDict);
  const existing = resources.get(PDFName.of(kind));
  if (existing instanceof PDFRef) {
    u.touch(existing);
    return u.resolve(existing, PDFDict);
  }
  if (existing instanceof PDFDict) return existing;
  u.touch(holder);
  const created = ctx.obj({});
  resources.set(PDFName.of(kind), created);
  return created;
}

/**
 * The signature dictionary with the placeholders @signpdf fills (byte range, contents), an invisible signature field
 * on the first page and the AcroForm that lists it: the same objects @signpdf/placeholder-pdf-lib writes.
 */
function addSignatureField(
  u: PdfIncrement,
  pageRef: PDFRef,
  o: { reason: string; contactInfo: string; name: string; location: string; signingTime: Date },
): void {
  const ctx = u.context;
  const byteRange = ctx.obj([0, ...Array(3).fill(PDFName.of(DEFAULT_BYTE_RANGE_PLACEHOLDER))]);
  const signature = ctx.register(
    ctx.obj({
      Type: 'Sig',
      Filter: 'Adobe.PPKLite',
      SubFilter: SUBFILTER_ETSI_CADES_DETACHED,
      ByteRange: byteRange,
      Contents: PDFHexString.of('0'.repeat(SIGNATURE_LENGTH)),
      Reason: PDFString.of(o.reason),
      M: PDFString.fromDate(o.signingTime),
      ContactInfo: PDFString.of(o.contactInfo),
      Name: PDFString.of(o.name),
      Location: PDFString.of(o.location),
      Prop_Build: { Filter: { Name: 'Adobe.PPKLite' }, App: { Name: 'ozg-case-engine' } },
    }),
  );
  // An appearance, even for a field of no size: PDF/A wants one for every widget.
  const appearance = ctx.register(ctx.formXObject([], { BBox: [0, 0, 0, 0], Resources: {} }));
  const widget = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      Rect: [0, 0, 0, 0],
      V: signature,
      T: PDFString.of('Signature1'),
      F: ANNOTATION_FLAGS.PRINT,
      P: pageRef,
      AP: { N: appearance },
    }),
  );
  const page = u.resolve(pageRef, PDFDict);
  const annots = page.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) {
    u.touch(annots);
    u.resolve(annots, PDFArray).push(widget);
  } else if (annots instanceof PDFArray) annots.push(widget);
  else page.set(PDFName.of('Annots'), ctx.obj([widget]));

  u.touch(u.root);
  const catalog = u.resolve(u.root, PDFDict);
  const formEntry = catalog.get(PDFName.of('AcroForm'));
  if (formEntry instanceof PDFRef) u.touch(formEntry);
  const form = u.resolveMaybe(formEntry, PDFDict) ?? ctx.obj({});
  if (!formEntry) catalog.set(PDFName.of('AcroForm'), ctx.register(form));
  const fields = form.get(PDFName.of('Fields'));
  if (fields instanceof PDFRef) {
    u.touch(fields);
    u.resolve(fields, PDFArray).push(widget);
  } else if (fields instanceof PDFArray) fields.push(widget);
  else form.set(PDFName.of('Fields'), ctx.obj([widget]));
  form.set(PDFName.of('SigFlags'), PDFNumber.of(SIG_FLAGS.SIGNATURES_EXIST | SIG_FLAGS.APPEND_ONLY));
}

/** A PDF not as the renderer writes it (cross-reference streams, earlier updates), rewritten once with a table. */
async function rewrittenWithXrefTable(pdf: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  return doc.save({ useObjectStreams: false });
}

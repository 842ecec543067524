import { type Addressee, addressLines, collect, TaggedWriter, watermark } from './bescheid-pdf.js';
import { documentFontBytes, PDFDocument } from './font-cache.js';
import { germanDate } from './german-time.js';

/** A letter to the applicant (request for documents, hearing, free letter): no decision, no seal. */
export interface LetterContent {
  fileReference: string;
  authorityName: string;
  authorityContact: string;
  authorityAddress: string;
  serviceName: string;
  addressee: Addressee;
  /** „Sehr geehrte Frau …“, „Guten Tag …“: as the Bescheid greets. */
  salutation: string;
  subject: string;
  /** Paragraphs, as the case worker wrote them from the template's text blocks. */
  body: string;
  date: string;
  /** A preview: marked „Entwurf“ on every page, never sent or filed. */
  draft?: boolean;
}

/** Renders the letter as tagged PDF/A-2a, like the Bescheid (structure, language, embedded fonts). */
export async function renderLetterPdf(c: LetterContent): Promise<Uint8Array> {
  const fonts = documentFontBytes();
  const at = new Date(c.date);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, left: 56, right: 56, bottom: 72 },
    pdfVersion: '1.7',
    font: null as unknown as string,
    subset: 'PDF/A-2a',
    tagged: true,
    lang: 'de-DE',
    displayTitle: true,
    autoFirstPage: true,
    info: {
      Title: `${c.draft ? 'Entwurf: ' : ''}${c.subject}`,
      Subject: c.serviceName,
      Author: c.authorityName,
      Creator: 'ozg-case-engine',
      Producer: 'ozg-case-engine',
      CreationDate: at,
      ModDate: at,
    },
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const done = collect(doc);
  const root = doc.struct('Document');
  doc.addStructure(root);
  const w = new TaggedWriter(doc, root);
  if (c.draft) {
    watermark(doc);
    doc.on('pageAdded', () => watermark(doc));
    w.p('ENTWURF – nicht versandt', { bold: true });
  }
  w.p(`${c.authorityName}\n${c.authorityAddress}\n${c.authorityContact}`, { bold: true });
  w.p(addressLines(c.addressee).join('\n'));
  w.p(`Datum: ${germanDate(c.date)}\nAktenzeichen: ${c.fileReference}\nBetreff: ${c.serviceName}`);
  w.heading('H1', c.subject, 15);
  w.p(`${c.salutation},`);
  for (const paragraph of c.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean))
    w.p(paragraph);
  w.p(`Mit freundlichen Grüßen\n${c.authorityName}`);
  w.p('Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.');
  root.end();
  doc.end();
  return done;
}

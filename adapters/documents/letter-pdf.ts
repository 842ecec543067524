import { type Addressee, addressLines, openTaggedDocument } from './bescheid-pdf.js';
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
  const { w, finish } = openTaggedDocument({
    title: `${c.draft ? 'Entwurf: ' : ''}${c.subject}`,
    subject: c.serviceName,
    author: c.authorityName,
    date: new Date(c.date),
    marginBottom: 72,
    ...(c.draft && { draftLine: 'ENTWURF – nicht versandt' }),
  });
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
  return finish();
}

import type { CaseOutcome, Decision, FeeResult } from '../../workflows/contracts/case.js';
import { documentFontBytes, PDFDocument } from './font-cache.js';
import { germanDate } from './german-time.js';

/** Who the Bescheid is addressed to: a name and a postal address. */
export interface Addressee {
  /** Absent when neither the identity nor the application names the person. */
  name?: string;
  /** For „Sehr geehrte Frau …/Sehr geehrter Herr …“; without it the letter greets „Guten Tag <Name>“. */
  familyName?: string;
  /** Only where the application or identity states it; never guessed from a name. */
  form?: 'frau' | 'herr';
  street?: string;
  postalCode?: string;
  city?: string;
}

export interface BescheidContent {
  caseId: string;
  /** The file number in the authority's scheme. */
  fileReference: string;
  authorityName: string;
  authorityContact: string;
  /** The authority's postal address, named in the Rechtsbehelfsbelehrung. */
  authorityAddress: string;
  serviceName: string;
  legalBasis: string;
  addressee: Addressee;
  /** When the application came in (ISO timestamp). */
  appliedAt: string;
  outcome: CaseOutcome;
  decision?: Decision;
  refusalReasons?: string[];
  fee?: FeeResult;
  legalRemedy: string;
  issuedAt: string;
  /** Issued with an approval as an attachment page, e.g. the parking permit itself. */
  certificate?: CertificateContent;
  /** The case worker's name under the sign-off, only where the authority declares it (never a login id). */
  signedBy?: string;
  /** A preview before sealing: marked „Entwurf“ on every page, never sealed, sent or filed. */
  draft?: boolean;
  /**
   * A decision of the objection procedure (Abhilfebescheid, Widerspruchsbescheid): its heading, its own tenor, the
   * Bescheid it answers; `remedyAtCourt`: the instruction names the court, not this authority's address.
   */
  procedure?: { heading: string; tenor: string; reference: string; remedyAtCourt?: boolean };
}

export interface CertificateContent {
  title: string;
  fields: Array<[label: string, value: string]>;
  validUntil?: string;
}

const tenor: Record<CaseOutcome, string> = {
  approved: 'Ihrem Antrag wird stattgegeben.',
  rejected: 'Ihr Antrag wird abgelehnt.',
  refused: 'Ihr Antrag kann nicht bearbeitet werden.',
  incomplete:
    'Ihr Antrag wird ohne Entscheidung in der Sache abgeschlossen, weil angeforderte Unterlagen nicht eingegangen sind.',
  withdrawn: 'Das Verfahren ist beendet, weil Sie Ihren Antrag zurückgenommen haben.',
  approved_by_fiction: 'Die beantragte Genehmigung gilt als erteilt (§ 42a VwVfG).',
};

/** Space the sealer keeps free at the foot of every page for the seal mark. */
export const SEAL_MARK_RESERVED_PT = 150;

type Doc = InstanceType<typeof PDFDocument>;
type Struct = ReturnType<Doc['struct']>;

/** What every document of the engine says about itself; its date is the case's, so a retry renders the same bytes. */
export interface TaggedDocumentInfo {
  title: string;
  subject: string;
  author: string;
  date: Date;
  /** Space kept free at the foot of each page (the Bescheid's seal mark needs more). */
  marginBottom: number;
  /** A draft: „ENTWURF“ across every page, and this line first. */
  draftLine?: string;
}

/**
 * A4, tagged PDF/A-2a (structure tree, language, embedded DejaVu fonts, the title shown), and a writer that wraps
 * everything in structure elements: the one setup of the Bescheid, the Antrag and the letters. `finish()` ends the
 * structure and the document and resolves to its bytes.
 */
export function openTaggedDocument(i: TaggedDocumentInfo): {
  doc: Doc;
  w: TaggedWriter;
  finish: () => Promise<Uint8Array>;
} {
  const fonts = documentFontBytes();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, left: 56, right: 56, bottom: i.marginBottom },
    pdfVersion: '1.7',
    // No default font: pdfkit would read and parse Helvetica's metrics for every document, and none is written with it.
    font: null as unknown as string,
    subset: 'PDF/A-2a',
    tagged: true,
    lang: 'de-DE',
    displayTitle: true,
    autoFirstPage: true,
    info: {
      Title: i.title,
      Subject: i.subject,
      Author: i.author,
      Creator: 'ozg-case-engine',
      Producer: 'ozg-case-engine',
      CreationDate: i.date,
      ModDate: i.date,
    },
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const done = collect(doc);
  const root = doc.struct('Document');
  doc.addStructure(root);
  const w = new TaggedWriter(doc, root);
  if (i.draftLine) {
    watermark(doc);
    doc.on('pageAdded', () => watermark(doc));
    w.p(i.draftLine, { bold: true });
  }
  const finish = () => {
    root.end();
    doc.end();
    return done;
  };
  return { doc, w, finish };
}

/**
 * Renders the decision document as tagged PDF/A-2a (structure tree, headings, reading order, language, embedded
 * fonts). Dates come from the case, not the clock, so the same decision always renders to the same bytes.
 */
export async function renderBescheidPdf(c: BescheidContent): Promise<Uint8Array> {
  const issued = new Date(c.issuedAt);
  // The certificate of an approval by fiction (§ 42a Abs. 3 VwVfG) is no Bescheid: it says so of itself.
  const fiction = c.outcome === 'approved_by_fiction';
  const { doc, w, finish } = openTaggedDocument({
    title: `${c.draft ? 'Entwurf: ' : ''}${c.procedure?.heading ?? 'Bescheid'} ${c.fileReference}`,
    subject: c.serviceName,
    author: c.authorityName,
    date: issued,
    marginBottom: SEAL_MARK_RESERVED_PT,
    ...(c.draft && { draftLine: 'ENTWURF – nicht gesiegelt, nicht versandt' }),
  });

  w.p(`${c.authorityName}\n${c.authorityAddress}\n${c.authorityContact}`, { bold: true });
  w.p(addressLines(c.addressee).join('\n'));
  w.p(`Datum: ${formatDate(c.issuedAt)}\nAktenzeichen: ${c.fileReference}\nIhr Antrag vom: ${formatDate(c.appliedAt)}`);
  w.heading('H1', `${c.procedure?.heading ?? 'Bescheid'}: ${c.serviceName}`, 15);
  if (c.procedure) w.p(c.procedure.reference);
  w.p(`${salutation(c.addressee)},`);
  w.heading('H2', 'Entscheidung');
  w.p(c.procedure?.tenor ?? tenor[c.outcome], { bold: true });
  w.heading('H2', 'Gründe');
  w.list(reasonsOf(c));
  if (c.decision) {
    w.p(
      `Entschieden nach Regelwerk Version ${c.decision.ruleSetVersion} (SHA-256 ${c.decision.ruleSetHash.slice(0, 16)}…)` +
        (c.decision.decidedBy === 'rules' ? '.' : ', geprüft und entschieden von der Sachbearbeitung.'),
    );
  }
  w.p(`Rechtsgrundlage: ${c.legalBasis}`);
  w.heading('H2', 'Gebühren');
  w.p(
    c.fee && c.fee.amountCents > 0
      ? `${formatEuro(c.fee.amountCents)}, ${feeStates[c.fee.status]}; Kassenzeichen ${c.fee.reference ?? '–'}`
      : fiction
        ? 'Für diese Bescheinigung werden keine Gebühren erhoben.'
        : 'Für diesen Bescheid werden keine Gebühren erhoben.',
  );
  w.heading('H2', 'Rechtsbehelfsbelehrung');
  w.p(
    c.procedure?.remedyAtCourt
      ? c.legalRemedy
      : `${c.legalRemedy} Anschrift: ${c.authorityName}, ${c.authorityAddress}.`,
  );
  w.p(`Mit freundlichen Grüßen\n${c.signedBy ? `Im Auftrag\n${c.signedBy}\n` : ''}${c.authorityName}`);
  w.p(
    c.draft
      ? 'Dieser Entwurf ist nicht gesiegelt und nicht gültig.'
      : fiction
        ? 'Diese Bescheinigung wurde elektronisch erstellt und mit dem Siegel der Behörde versehen; sie ist ohne Unterschrift gültig.'
        : 'Dieser Bescheid wurde elektronisch erstellt und mit dem Siegel der Behörde versehen; er ist ohne Unterschrift gültig.',
  );
  if (c.certificate && (c.outcome === 'approved' || c.outcome === 'approved_by_fiction')) {
    doc.addPage();
    w.heading('H1', c.certificate.title, 15);
    w.p(`Anlage zum Bescheid ${c.fileReference} vom ${formatDate(c.issuedAt)}`);
    w.table([
      ...c.certificate.fields,
      ...(c.certificate.validUntil ? [['Gültig bis', c.certificate.validUntil] as [string, string]] : []),
    ]);
  }
  return finish();
}

/** Writes content that is always wrapped in a structure element, so nothing on the page is untagged. */
export class TaggedWriter {
  constructor(
    private readonly doc: Doc,
    private readonly root: Struct,
  ) {}

  heading(tag: 'H1' | 'H2', text: string, size = 12): void {
    this.doc.moveDown(0.6);
    this.root.add(this.doc.struct(tag, {}, () => void this.doc.font('bold').fontSize(size).text(text)));
    this.doc.moveDown(0.2);
  }

  p(text: string, o: { bold?: boolean } = {}): void {
    this.root.add(
      this.doc.struct(
        'P',
        {},
        () =>
          void this.doc
            .font(o.bold ? 'bold' : 'regular')
            .fontSize(10.5)
            .text(text),
      ),
    );
    this.doc.moveDown(0.5);
  }

  list(items: string[]): void {
    const list = this.doc.struct('L');
    this.root.add(list);
    for (const item of items) {
      const li = this.doc.struct('LI');
      list.add(li);
      li.add(
        this.doc.struct('Lbl', {}, () => void this.doc.font('regular').fontSize(10.5).text('–', { continued: true })),
      );
      li.add(this.doc.struct('LBody', {}, () => void this.doc.text(` ${item}`)));
      li.end();
    }
    list.end();
    this.doc.moveDown(0.5);
  }

  table(rows: Array<[string, string]>): void {
    const table = this.doc.struct('Table');
    this.root.add(table);
    for (const [label, value] of rows) {
      const tr = this.doc.struct('TR');
      table.add(tr);
      tr.add(
        this.doc.struct(
          'TH',
          {},
          () => void this.doc.font('bold').fontSize(10.5).text(`${label}:`, { continued: true }),
        ),
      );
      tr.add(this.doc.struct('TD', {}, () => void this.doc.font('regular').text(` ${value}`)));
      tr.end();
    }
    table.end();
  }
}

export function collect(doc: Doc): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
}

export function addressLines(a: Addressee): string[] {
  return [a.name ?? 'An die antragstellende Person', a.street, [a.postalCode, a.city].filter(Boolean).join(' ')].filter(
    (l): l is string => !!l,
  );
}

/** „Sehr geehrte Frau …“/„Sehr geehrter Herr …“ where the form of address is known, else „Guten Tag <Name>“. */
export function salutation(a: Addressee): string {
  if (a.form && a.familyName)
    return a.form === 'frau' ? `Sehr geehrte Frau ${a.familyName}` : `Sehr geehrter Herr ${a.familyName}`;
  return a.name ? `Guten Tag ${a.name}` : 'Sehr geehrte Damen und Herren';
}

/** A large grey „ENTWURF“ across the page, marked as an artifact (not content) for the tagged PDF. */
export function watermark(doc: Doc): void {
  const { x, y } = doc;
  doc.markContent('Artifact', { type: 'Pagination' });
  doc.save();
  doc.rotate(-45, { origin: [297, 421] });
  doc.font('bold').fontSize(96).fillColor('#d0d0d0').text('ENTWURF', 60, 380, { lineBreak: false });
  doc.restore();
  doc.endMarkedContent();
  doc.fillColor('black');
  doc.x = x;
  doc.y = y;
}

function reasonsOf(c: BescheidContent): string[] {
  if (c.refusalReasons?.length) return c.refusalReasons;
  const reasons = (c.decision?.firedRules ?? [])
    .filter((r) => r.outcome === c.decision?.outcome)
    .map((r) => `${r.reason} (${r.legalBasis})`);
  return reasons.length ? reasons : ['Die Voraussetzungen wurden nach den genannten Rechtsgrundlagen geprüft.'];
}

/** The day in German local time: a Bescheid issued at 0:30 in Berlin is dated that day, not the day before (UTC). */
const formatDate = (iso: string): string => germanDate(iso);

const formatEuro = (cents: number): string => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} EUR`;

const feeStates: Record<FeeResult['status'], string> = {
  paid: 'bezahlt',
  not_required: 'keine',
  unpaid: 'nicht fristgerecht bezahlt',
  refunded: 'bezahlt und erstattet',
  due: 'erneut zu zahlen (bei der Ablehnung erstattet)',
};

/** The application as the applicant would recognise it: the form's labels (FIM or schema titles) with their values. */
export interface AntragContent {
  fileReference: string;
  authorityName: string;
  serviceName: string;
  /** When the application came in (ISO timestamp): also the document's date, so a retry renders the same bytes. */
  submittedAt: string;
  schemaId: string;
  schemaVersion: string;
  fields: Array<{ label: string; value: string | number | boolean | null }>;
}

/**
 * Renders the Antrag as tagged PDF/A-2a with the Bescheid's machinery (DejaVu fonts, structure tree). Dates come from
 * the submission, so the same application always renders to the same bytes.
 */
export async function renderAntragPdf(c: AntragContent): Promise<Uint8Array> {
  const { w, finish } = openTaggedDocument({
    title: `Antrag ${c.fileReference}`,
    subject: c.serviceName,
    author: c.authorityName,
    date: new Date(c.submittedAt),
    marginBottom: 56,
  });
  w.p(c.authorityName, { bold: true });
  w.p(`Aktenzeichen: ${c.fileReference}\nEingegangen am: ${formatDate(c.submittedAt)}`);
  w.heading('H1', `Antrag: ${c.serviceName}`, 15);
  w.p('Ihre Angaben, wie Sie sie im Antragsformular gemacht haben:');
  const shown = (v: string | number | boolean | null) =>
    v === null || v === '' ? '–' : typeof v === 'boolean' ? (v ? 'ja' : 'nein') : String(v);
  w.table(c.fields.map((f) => [f.label, shown(f.value)]));
  w.p(`Formular: ${c.schemaId}, Version ${c.schemaVersion}`);
  return finish();
}

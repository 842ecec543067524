import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import type { CaseOutcome, Decision, FeeResult } from '../contracts/case.js';

export interface BescheidContent {
  caseId: string;
  authorityName: string;
  authorityContact: string;
  serviceName: string;
  legalBasis: string;
  addressee: string;
  outcome: CaseOutcome;
  decision?: Decision;
  refusalReasons?: string[];
  fee?: FeeResult;
  legalRemedy: string;
  issuedAt: string;
  /** Issued with an approval as an attachment page, e.g. the parking permit itself. */
  certificate?: CertificateContent;
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
  incomplete: 'Ihr Antrag wird ohne Entscheidung in der Sache abgeschlossen, weil angeforderte Unterlagen nicht eingegangen sind.',
};

/**
 * Renders the decision document. Dates come from the case, not the clock, so the same decision
 * always renders to the same bytes and sealing stays idempotent.
 */
export async function renderBescheidPdf(c: BescheidContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const issued = new Date(c.issuedAt);
  pdf.setTitle(`Bescheid ${c.caseId}`);
  pdf.setSubject(c.serviceName);
  pdf.setAuthor(c.authorityName);
  // Accessibility basics pdf-lib allows: document language and a title viewers show (it cannot write tagged PDF).
  pdf.setLanguage('de-DE');
  pdf.catalog.getOrCreateViewerPreferences().setDisplayDocTitle(true);
  pdf.setCreator('ozg-case-engine');
  pdf.setProducer('ozg-case-engine');
  pdf.setCreationDate(issued);
  pdf.setModificationDate(issued);

  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const writer = new PageWriter(pdf.addPage([595.28, 841.89]), regular, bold);

  writer.line(c.authorityName, { font: 'bold' });
  writer.line(c.authorityContact);
  writer.gap();
  writer.line(`An: ${c.addressee}`);
  writer.line(`Datum: ${issued.toISOString().slice(0, 10)}    Aktenzeichen: ${c.caseId}`);
  writer.gap();
  writer.line(`Bescheid: ${c.serviceName}`, { font: 'bold', size: 14 });
  writer.gap();
  writer.paragraph(tenor[c.outcome]);
  writer.gap();
  writer.line('Gründe', { font: 'bold' });
  for (const reason of reasonsOf(c)) writer.paragraph(`- ${reason}`);
  if (c.decision) {
    writer.paragraph(`Entschieden nach Regelwerk Version ${c.decision.ruleSetVersion} (SHA-256 ${c.decision.ruleSetHash.slice(0, 16)}...)` +
      (c.decision.decidedBy === 'rules' ? '.' : ` durch Sachbearbeitung (${c.decision.decidedBy.caseWorker}).`));
  }
  writer.paragraph(`Rechtsgrundlage: ${c.legalBasis}`);
  if (c.fee && c.fee.amountCents > 0) {
    writer.gap();
    writer.line('Gebühren', { font: 'bold' });
    writer.paragraph(`${formatEuro(c.fee.amountCents)} - ${feeStates[c.fee.status]}, Kassenzeichen ${c.fee.reference ?? '-'}`);
  }
  writer.gap();
  writer.line('Rechtsbehelfsbelehrung', { font: 'bold' });
  writer.paragraph(c.legalRemedy);
  if (c.certificate && c.outcome === 'approved') {
    const cert = new PageWriter(pdf.addPage([595.28, 841.89]), regular, bold);
    cert.line(c.authorityName, { font: 'bold' });
    cert.gap();
    cert.line(`Anlage zum Bescheid ${c.caseId}`);
    cert.line(c.certificate.title, { font: 'bold', size: 16 });
    cert.gap();
    for (const [label, value] of c.certificate.fields) cert.line(`${label}: ${value}`);
    cert.line(`Ausgestellt am: ${issued.toISOString().slice(0, 10)}`);
    if (c.certificate.validUntil) cert.line(`Gültig bis: ${c.certificate.validUntil}`);
  }
  return pdf.save({ useObjectStreams: false });
}

function reasonsOf(c: BescheidContent): string[] {
  if (c.refusalReasons?.length) return c.refusalReasons;
  return (c.decision?.firedRules ?? [])
    .filter((r) => r.outcome === c.decision?.outcome)
    .map((r) => `${r.reason} (${r.legalBasis})`);
}

const formatEuro = (cents: number): string => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} EUR`;

class PageWriter {
  private y = 800;
  private readonly margin = 56;
  private readonly width = 595.28 - 2 * 56;

  constructor(private readonly page: PDFPage, private readonly regular: PDFFont, private readonly bold: PDFFont) {}

  line(text: string, opts: { font?: 'bold'; size?: number } = {}): void {
    const size = opts.size ?? 10.5;
    this.page.drawText(text, { x: this.margin, y: this.y, size, font: opts.font ? this.bold : this.regular });
    this.y -= size * 1.45;
  }

  paragraph(text: string): void {
    const words = text.split(/\s+/);
    let current = '';
    for (const word of words) {
      const candidate = current ? `${current} ${word}` : word;
      if (this.regular.widthOfTextAtSize(candidate, 10.5) > this.width && current) {
        this.line(current);
        current = word;
      } else current = candidate;
    }
    if (current) this.line(current);
  }

  gap(): void {
    this.y -= 8;
  }
}

const feeStates: Record<FeeResult['status'], string> = { paid: 'bezahlt', not_required: 'keine', unpaid: 'nicht fristgerecht bezahlt', refunded: 'bezahlt und erstattet' };

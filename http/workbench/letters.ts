import { randomUUID } from 'node:crypto';
import type { DocumentStore } from '../../adapters/document-store.js';
import { salutation } from '../../adapters/documents/bescheid-pdf.js';
import { germanDate } from '../../adapters/documents/german-time.js';
import { renderLetterPdf } from '../../adapters/documents/letter-pdf.js';
import type { Postbox } from '../../adapters/postbox.js';
import { addresseeOf, previewBescheid } from '../../activities/documents.js';
import type { IdentityAssertion } from '../../workflows/contracts/case.js';
import type { CaseWorkerDecision, Decision } from '../../workflows/contracts/case.js';
import { effectKey } from '../../workflows/contracts/ids.js';
import type { DbExecutor } from '../../db/client.js';
import {
  addAkteDocument,
  antragDocumentId,
  findAkte,
  findAkteDocument,
  listAkteDocumentContents,
} from '../../db/queries/akte.js';
import { listDecisions } from '../../db/queries/decisions.js';
import { findService } from '../../services/catalogue.js';
import {
  fillTemplate,
  LETTER_TEMPLATE_IDS,
  type LetterTemplateId,
  letterTemplatesOf,
} from '../../services/letter-templates.js';

const DAY = 86_400_000;

/** What a letter needs from the Akte: the addressee (name from the identity, address from the application). */
async function letterBasis(db: DbExecutor, caseId: string) {
  const akte = await findAkte(db, { caseId });
  if (!akte) return undefined;
  const antrag = await findAkteDocument(db, { documentId: antragDocumentId(caseId) });
  const application = (antrag?.content as Record<string, unknown> | null) ?? undefined;
  const identity = akte.identity as IdentityAssertion | undefined;
  const service = findService(akte.serviceKey);
  const authority = service.authorities[akte.authorityId];
  if (!authority) return undefined;
  return { akte, application, name: identity?.name, service, authority };
}

/** The templates of the case's service, for the letter form. */
export function templatesFor(serviceKey: string) {
  const all = letterTemplatesOf(findService(serviceKey));
  return LETTER_TEMPLATE_IDS.map((id) => ({ id, label: all[id].label }));
}

export const isTemplateId = (v: unknown): v is LetterTemplateId =>
  typeof v === 'string' && (LETTER_TEMPLATE_IDS as readonly string[]).includes(v);

/** The template's text for this case, placeholders filled in: the case worker edits it before she sends it. */
export async function letterDraft(db: DbExecutor, caseId: string, template: LetterTemplateId, now = new Date()) {
  const b = await letterBasis(db, caseId);
  if (!b) return undefined;
  return {
    letterId: randomUUID(),
    template,
    ...fillTemplate(letterTemplatesOf(b.service)[template], {
      aktenzeichen: b.akte.aktenzeichen,
      leistung: b.service.name,
      eingang: germanDate(b.akte.submittedAt),
      frist: germanDate(new Date(now.getTime() + 14 * DAY)),
    }),
  };
}

export interface LetterInput {
  /** From the form: one letter, however often the form is sent. */
  letterId: string;
  template: LetterTemplateId;
  subject: string;
  body: string;
}

async function render(db: DbExecutor, caseId: string, l: LetterInput, date: Date, draft: boolean) {
  const b = await letterBasis(db, caseId);
  if (!b) return undefined;
  const addressee = addresseeOf(b.name, b.application);
  return renderLetterPdf({
    fileReference: b.akte.aktenzeichen,
    authorityName: b.authority.name,
    authorityContact: b.authority.contact,
    authorityAddress: b.authority.postalAddress ?? b.authority.name,
    serviceName: b.service.name,
    addressee,
    salutation: salutation(addressee),
    subject: l.subject,
    body: l.body,
    date: date.toISOString(),
    draft,
  });
}

/** The letter as it would be sent, marked „Entwurf“: nothing stored, sent or filed. */
export const previewLetter = (db: DbExecutor, caseId: string, l: LetterInput) =>
  render(db, caseId, l, new Date(), true);

/**
 * Sends a letter to the applicant's postbox and files it in the Akte (kind `letter`), once per letter id: the Akte
 * entry is written first with the rendered bytes, and a repeated send delivers those same bytes under the same
 * idempotency key, so the postbox holds one message and the Akte one letter, however often the form is sent.
 */
export async function sendLetter(
  d: { db: DbExecutor; documents: DocumentStore; postbox: Postbox },
  caseId: string,
  by: string,
  l: LetterInput,
): Promise<{ documentId: string; deliveryId: string } | undefined> {
  const documentId = `${caseId}:letter:${l.letterId}`;
  let filed = await findAkteDocument(d.db, { documentId });
  if (!filed) {
    const pdf = await render(d.db, caseId, l, new Date(), false);
    if (!pdf) return undefined;
    const ref = await d.documents.put(pdf, 'application/pdf');
    await addAkteDocument(d.db, {
      documentId,
      caseId,
      kind: 'letter',
      title: l.subject,
      mediaType: ref.mediaType,
      sha256: ref.sha256,
      size: ref.size,
      blobKey: ref.sha256,
      content: { template: l.template, subject: l.subject, by },
      authorRole: 'case_worker',
      authorId: by,
    });
    filed = await findAkteDocument(d.db, { documentId });
  }
  const akte = await findAkte(d.db, { caseId });
  if (!filed || !akte) return undefined;
  const delivered = await d.postbox.deliver({
    idempotencyKey: effectKey(caseId, `letter:${l.letterId}`),
    caseId,
    recipient: akte.applicantSubject,
    subject: filed.title,
    document: { sha256: filed.sha256, mediaType: filed.mediaType, size: filed.size },
  });
  return { documentId, deliveryId: delivered.deliveryId };
}

/** The letters the Akte holds for a case, oldest first. */
export async function listLetters(db: DbExecutor, caseId: string) {
  const rows = await listAkteDocumentContents(db, { caseId, kinds: ['letter'] });
  return rows.map((r) => ({
    title: r.title,
    sha256: r.sha256,
    by: r.authorId ?? '',
    at: r.createdAt.toISOString(),
  }));
}

/**
 * The Bescheid as the decision in the form (or the proposal under four-eyes) would issue it, marked „Entwurf“:
 * the rules' escalation with the case worker's reasons for the applicant; never sealed, sent or filed.
 */
export async function previewBescheidFor(
  db: DbExecutor,
  caseId: string,
  d: Pick<CaseWorkerDecision, 'outcome' | 'reasonsForApplicant' | 'caseWorker'>,
): Promise<Uint8Array | undefined> {
  const b = await letterBasis(db, caseId);
  if (!b) return undefined;
  const rules = (await listDecisions(db, { caseId })).at(-1);
  const decision: Decision | undefined = rules && {
    outcome: d.outcome,
    ruleSetVersion: rules.ruleSetVersion,
    ruleSetHash: rules.ruleSetHash,
    facts: (rules.facts ?? {}) as Record<string, unknown>,
    decidedBy: { caseWorker: d.caseWorker },
    firedRules: [
      ...((rules.firedRules ?? []) as Decision['firedRules']),
      {
        ruleId: 'case-worker',
        outcome: d.outcome,
        reason: d.reasonsForApplicant?.trim() || '[Gründe für den Bescheid fehlen noch]',
        legalBasis: 'Entscheidung der Sachbearbeitung',
      },
    ],
  };
  const input = {
    caseId,
    serviceKey: b.akte.serviceKey,
    authorityId: b.akte.authorityId,
    appliedAt: b.akte.submittedAt.toISOString(),
    outcome: d.outcome === 'approve' ? ('approved' as const) : ('rejected' as const),
    decision,
    issuedAt: new Date().toISOString(),
  };
  return previewBescheid(db, input, b.application, b.name);
}

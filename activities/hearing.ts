import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { salutation } from '../adapters/documents/bescheid-pdf.js';
import { germanDate } from '../adapters/documents/german-time.js';
import { renderLetterPdf } from '../adapters/documents/letter-pdf.js';
import { addAkteDocument, antragDocumentId, findAkte, findAkteDocument } from '../db/queries/akte.js';
import { findAuthority, findService } from '../services/catalogue.js';
import { berlinDate, periodEnd, periodLastDay } from '../services/legal-time.js';
import { fillTemplate, letterTemplatesOf } from '../services/letter-templates.js';
import type { IdentityAssertion, HearingStatement } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { addresseeOf } from './documents.js';
import type { ActivityDeps } from './deps.js';

/** Whether a rejection first hears the applicant (§ 28 VwVfG), as the service declares it. */
export type HearingPlan =
  | { kind: 'none' }
  /** § 28 Abs. 2 VwVfG: every rule that rejects is an exception the service declares, with its legal reason. */
  | { kind: 'skipped'; ruleIds: string[]; why: string }
  | { kind: 'hear' };

export interface PlanHearingInput {
  serviceKey: string;
  /** The rules' automated rejection, or a case worker's (always heard). */
  byRules: boolean;
  rejectingRules: string[];
}

export interface HearingLetterInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject of the applicant; the postbox resolves the address. */
  recipient: string;
  /** The intended decision's reasons, as the Bescheid would print them. */
  reasons: string[];
}

export interface HearingLetter {
  deliveryId: string;
  sentAt: string;
  /** The last day for the statement (YYYY-MM-DD), moved off weekends and the Land's holidays. */
  statementDueOn: string;
  /** Legal days from the letter's day until the end of `statementDueOn`: the workflow's timer. */
  legalDays: number;
}

export interface FileHearingStatementInput extends HearingStatement {
  caseId: string;
  receivedAt: string;
}

export const hearingLetterDocumentId = (caseId: string): string => `${caseId}:hearing-letter`;
export const hearingStatementDocumentId = (caseId: string): string => `${caseId}:hearing-statement`;

const DAY = 86_400_000;
const dayOf = (isoDate: string): Date => new Date(`${isoDate}T12:00:00Z`);

/** The statement period from the day of sending, moved off weekends and the authority's Land's holidays. */
export function statementDueOn(serviceKey: string, authorityId: string, sentOn: string): string {
  const service = findService(serviceKey);
  const period = service.lifecycle?.hearing?.statementPeriod ?? { weeks: 2 };
  const land = findAuthority(service, authorityId).land;
  return land ? periodEnd(sentOn, period, land).endsOn : periodLastDay(sentOn, period);
}

/** The hearing before a rejection: whether it takes place, its letter, and the applicant's statement in the Akte. */
export function createHearingActivities({ db, documents, postbox }: ActivityDeps) {
  return {
    /** `planHearing` (local): hear, skip with the service's legal reason, or no hearing declared. */
    async planHearing(i: PlanHearingInput): Promise<HearingPlan> {
      const hearing = findService(i.serviceKey).lifecycle?.hearing;
      if (!hearing?.beforeRejection) return { kind: 'none' };
      const exceptions = hearing.exceptions ?? [];
      const excepted = i.rejectingRules.map((id) => exceptions.find((e) => e.ruleId === id));
      if (!i.byRules || i.rejectingRules.length === 0 || excepted.some((e) => !e)) return { kind: 'hear' };
      return {
        kind: 'skipped',
        ruleIds: i.rejectingRules,
        why: [...new Set(excepted.map((e) => e!.why))].join(' '),
      };
    },

    /**
     * `sendHearingLetter`: the letter with the intended decision, its reasons and the deadline, rendered as PDF, filed
     * in the Akte (kind `hearing_letter`) and sent to the postbox (effect key `case:<id>:hearing-letter`). The Akte entry
     * comes first; a retry sends those same bytes with the same deadline, so the applicant gets one letter.
     */
    async sendHearingLetter(i: HearingLetterInput): Promise<HearingLetter> {
      const documentId = hearingLetterDocumentId(i.caseId);
      let filed = await findAkteDocument(db, { documentId });
      if (!filed) {
        const service = findService(i.serviceKey);
        const authority = findAuthority(service, i.authorityId);
        const akte = await findAkte(db, { caseId: i.caseId });
        if (!akte) throw new Error(`case ${i.caseId} has no Akte`);
        const antrag = await findAkteDocument(db, { documentId: antragDocumentId(i.caseId) });
        const application = (antrag?.content as Record<string, unknown> | null) ?? undefined;
        const sentAt = new Date();
        const dueOn = statementDueOn(i.serviceKey, i.authorityId, berlinDate(sentAt));
        const filled = fillTemplate(letterTemplatesOf(service).hearing, {
          aktenzeichen: akte.aktenzeichen,
          leistung: service.name,
          eingang: germanDate(akte.submittedAt),
          frist: germanDate(dayOf(dueOn)),
        });
        const body = [
          filled.body.replace('[bitte ergänzen]', 'Ihren Antrag abzulehnen'),
          `Die beabsichtigte Ablehnung stützt sich auf folgende Gründe:\n${i.reasons.map((r) => `– ${r}`).join('\n')}`,
          'Ihre Stellungnahme können Sie mit Unterlagen in Ihrem Postfach abgeben. Nach Ablauf der Frist entscheidet ' +
            'die Sachbearbeitung unter Berücksichtigung Ihrer Stellungnahme.',
        ].join('\n\n');
        const addressee = addresseeOf((akte.identity as IdentityAssertion | undefined)?.name, application);
        const pdf = await renderLetterPdf({
          fileReference: akte.aktenzeichen,
          authorityName: authority.name,
          authorityContact: authority.contact,
          authorityAddress: authority.postalAddress ?? authority.name,
          serviceName: service.name,
          addressee,
          salutation: salutation(addressee),
          subject: filled.subject,
          body,
          date: sentAt.toISOString(),
        });
        const ref = await documents.put(pdf, 'application/pdf');
        await addAkteDocument(db, {
          documentId,
          caseId: i.caseId,
          kind: 'hearing_letter',
          title: `${filled.subject} (Frist zur Stellungnahme: ${germanDate(dayOf(dueOn))})`,
          mediaType: ref.mediaType,
          sha256: ref.sha256,
          size: ref.size,
          blobKey: ref.sha256,
          content: { sentAt: sentAt.toISOString(), statementDueOn: dueOn, intended: 'reject', subject: filled.subject },
          authorRole: 'authority',
        });
        filed = await findAkteDocument(db, { documentId });
        if (!filed) throw new Error(`hearing letter of ${i.caseId} not filed`);
      }
      const content = filed.content as { sentAt: string; statementDueOn: string; subject: string };
      const delivered = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, 'hearing-letter'),
        caseId: i.caseId,
        recipient: i.recipient,
        subject: content.subject,
        document: { sha256: filed.sha256, mediaType: filed.mediaType, size: filed.size },
      });
      const sentOn = berlinDate(new Date(content.sentAt));
      return {
        deliveryId: delivered.deliveryId,
        sentAt: content.sentAt,
        statementDueOn: content.statementDueOn,
        legalDays: Math.round((dayOf(content.statementDueOn).getTime() - dayOf(sentOn).getTime()) / DAY) + 1,
      };
    },

    /** `fileHearingStatement` (local): the statement (kind `hearing_statement`) and its attachments, once each. */
    async fileHearingStatement(i: FileHearingStatementInput): Promise<void> {
      const content = { receivedAt: i.receivedAt, text: i.text, attachments: i.attachments };
      const json = canonicalize(content) ?? '{}';
      await addAkteDocument(db, {
        documentId: hearingStatementDocumentId(i.caseId),
        caseId: i.caseId,
        kind: 'hearing_statement',
        title: `Stellungnahme zur Anhörung vom ${germanDate(i.receivedAt)}`,
        mediaType: 'application/json',
        sha256: createHash('sha256').update(json).digest('hex'),
        size: Buffer.byteLength(json),
        content,
        authorRole: 'applicant',
        authorId: i.subject,
      });
      for (const a of i.attachments)
        await addAkteDocument(db, {
          documentId: `${hearingStatementDocumentId(i.caseId)}:attachment:${a.sha256}`,
          caseId: i.caseId,
          kind: 'upload',
          title: a.fileName,
          mediaType: a.mediaType,
          sha256: a.sha256,
          size: a.size,
          blobKey: a.sha256,
          content: { hearingStatement: true, fileName: a.fileName },
          authorRole: 'applicant',
          authorId: i.subject,
        });
    },
  };
}

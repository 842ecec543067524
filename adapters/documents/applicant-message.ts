import type { RequestedEvidence } from '../../workflows/contracts/case.js';

export type ApplicantMessageKind = 'evidence_request' | 'evidence_reminder';

export interface EvidenceRequestLetter {
  kind: ApplicantMessageKind;
  caseId: string;
  serviceName: string;
  authorityName: string;
  items: RequestedEvidence[];
  dueAt: string;
  /** What happens if nothing arrives, in plain language. */
  consequence: string;
}

const opening: Record<ApplicantMessageKind, string> = {
  evidence_request:
    'für Ihren Antrag fehlen uns noch Unterlagen, die wir nicht selbst bei den Registern abrufen konnten.',
  evidence_reminder:
    'wir erinnern Sie an die Unterlagen, um die wir Sie gebeten haben. Sie sind bei uns noch nicht eingegangen.',
};

/** A plain-language letter: what is missing, why, until when, and what happens otherwise. Dates come from the case, not the clock. */
export function renderEvidenceRequestLetter(l: EvidenceRequestLetter): string {
  const due = l.dueAt.slice(0, 10);
  return [
    l.authorityName,
    `${l.kind === 'evidence_request' ? 'Nachforderung von Unterlagen' : 'Erinnerung'}: ${l.serviceName}, Aktenzeichen ${l.caseId}`,
    '',
    'Guten Tag,',
    '',
    opening[l.kind],
    '',
    ...l.items.map((i) => `- ${i.document} (wofür: ${i.purpose})`),
    '',
    `Bitte laden Sie die Unterlagen bis zum ${due} in Ihrem Servicekonto hoch (PDF, PNG oder JPEG).`,
    l.consequence,
    '',
    'Mit freundlichen Grüßen',
    l.authorityName,
    '',
  ].join('\n');
}

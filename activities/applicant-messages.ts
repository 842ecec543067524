import type { RequestedEvidence } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { renderEvidenceRequestLetter, type ApplicantMessageKind } from '../adapters/documents/applicant-message.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

export interface EvidenceRequestInput {
  kind: ApplicantMessageKind;
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject; the postbox resolves the real address. */
  recipient: string;
  items: RequestedEvidence[];
  dueAt: string;
  consequence: string;
}

/** Requests and reminders to the applicant, through the one Postbox every message uses; once per case and kind. */
export function createApplicantMessageActivities({ documents, postbox }: ActivityDeps) {
  return {
    async sendEvidenceRequest(i: EvidenceRequestInput): Promise<{ deliveryId: string }> {
      const service = findService(i.serviceKey);
      const authority = service.authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const text = renderEvidenceRequestLetter({ ...i, serviceName: service.name, authorityName: authority.name });
      const document = await documents.put(Buffer.from(text, 'utf8'), 'text/plain; charset=utf-8');
      const d = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, i.kind),
        caseId: i.caseId,
        recipient: i.recipient,
        subject:
          i.kind === 'evidence_request'
            ? `Bitte reichen Sie Unterlagen nach (${i.caseId})`
            : `Erinnerung: Unterlagen fehlen noch (${i.caseId})`,
        document,
      });
      return { deliveryId: d.deliveryId };
    },
  };
}

import type { CaseOutcome, Decision, DocumentRef, FeeResult, SealResult } from '../contracts/case.js';
import { renderBescheidPdf } from '../documents/bescheid-pdf.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

export interface RenderBescheidInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject; the postbox resolves the real addressee. */
  addressee: string;
  outcome: CaseOutcome;
  decision?: Decision;
  refusalReasons?: string[];
  fee?: FeeResult;
  issuedAt: string;
}

export function createDocumentActivities({ documents, sealer }: ActivityDeps) {
  return {
    async renderBescheid(i: RenderBescheidInput): Promise<DocumentRef> {
      const service = findService(i.serviceKey);
      const authority = service.authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const pdf = await renderBescheidPdf({
        caseId: i.caseId,
        authorityName: authority.name,
        authorityContact: authority.contact,
        serviceName: service.name,
        legalBasis: service.legalBasis,
        addressee: i.addressee,
        outcome: i.outcome,
        decision: i.decision,
        refusalReasons: i.refusalReasons,
        fee: i.fee,
        legalRemedy: service.legalRemedy,
        issuedAt: i.issuedAt,
      });
      return documents.put(pdf, 'application/pdf');
    },

    /** Sealing the same document again gives the same seal, so a retry never yields a second one. */
    async sealBescheid(i: { authorityId: string; document: DocumentRef }): Promise<SealResult> {
      const bytes = await documents.get(i.document.sha256);
      const seal = await sealer.seal(i.authorityId, bytes);
      return { document: i.document, ...seal };
    },
  };
}

import { createHash } from 'node:crypto';
import type { ApplicationSource, CaseOutcome, Decision } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import type { ForwardedNotice } from '../adapters/forwarding.js';
import type { BundIdStatus, Milestone } from '../adapters/status-messages.js';
import { findService } from '../services/catalogue.js';
import { applicationFrom } from './antrag.js';
import { fileReferenceFor } from './documents.js';
import type { ActivityDeps } from './deps.js';

export interface StatusMessageInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject of the applicant. */
  recipient: string;
  milestone: Milestone;
  outcome?: CaseOutcome;
  /** From the workflow, so a retry sends the same message. */
  at: string;
}

export interface ForwardInput extends ApplicationSource {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  applicantSubject: string;
  recipient: string;
  decision: Decision;
  submittedAt: string;
  at: string;
}

const statusOf: Record<Milestone, BundIdStatus> = {
  received: 'RECEIVED',
  documents_needed: 'ACTION_REQUIRED',
  decided: 'PROCESSING',
  delivered: 'COMPLETED',
};

const detailsOf = (m: Milestone, outcome?: CaseOutcome): string =>
  ({
    received: 'Ihr Antrag ist eingegangen und wird bearbeitet.',
    documents_needed: 'Bitte reichen Sie Unterlagen nach; die Einzelheiten stehen in Ihrem Postfach.',
    decided:
      outcome === 'approved_by_fiction'
        ? 'Ihr Antrag gilt als genehmigt (§ 42a VwVfG); die Bescheinigung darüber wird zugestellt.'
        : `Über Ihren Antrag ist entschieden${outcome === 'approved' ? ' (stattgegeben)' : outcome === 'rejected' ? ' (abgelehnt)' : ''}; der Bescheid wird zugestellt.`,
    delivered: 'Der Bescheid ist in Ihrem Postfach.',
  })[m];

/** Outbound messages the standards call for: status messages to the applicant and forwarding to other authorities. */
export function createOutboundActivities({ db, statusChannel, forwarding }: ActivityDeps) {
  return {
    /** Once per case and milestone: the idempotency key makes a retry a no-op at the postbox. */
    async sendStatusMessage(i: StatusMessageInput): Promise<{ messageId?: string; sent: boolean }> {
      if (!statusChannel) return { sent: false };
      const service = findService(i.serviceKey);
      const authority = service.authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const { messageId } = await statusChannel.send({
        idempotencyKey: effectKey(i.caseId, `status:${i.milestone}`),
        recipient: i.recipient,
        message: {
          applicationId: i.caseId,
          status: statusOf[i.milestone],
          statusDetails: { de: detailsOf(i.milestone, i.outcome) },
          publicServiceName: { de: service.name },
          senderName: authority.name,
          createdDate: i.at,
        },
      });
      return { messageId, sent: true };
    },

    /** Once per case and recipient. */
    async forwardCase(i: ForwardInput): Promise<{ receiptId?: string; sent: boolean }> {
      if (!forwarding) return { sent: false };
      const service = findService(i.serviceKey);
      const authority = service.authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const idempotencyKey = effectKey(i.caseId, `forward:${i.recipient}`);
      const application = await applicationFrom(db, i);
      const notice: ForwardedNotice = {
        nachrichtenkopf: {
          nachrichtenUUID: uuidFrom(idempotencyKey),
          erstellungszeitpunkt: i.at,
          autor: authority.name,
          leser: i.recipient,
          nachrichtentyp: 'gewerbeanzeige.anmeldung',
        },
        gewerbeanzeige: {
          anzeigeart: 'Anmeldung',
          aktenzeichen: await fileReferenceFor(db, authority, i.caseId, i.submittedAt),
          betrieb: (application['business'] as Record<string, unknown> | undefined) ?? {},
          betriebsstaette: { anschrift: (application['address'] as Record<string, unknown> | undefined) ?? {} },
          gewerbetreibender: { pseudonym: i.applicantSubject },
          // The rules fire forward effects in the order they list recipients.
          rechtsgrundlage:
            i.decision.firedRules.filter((r) => r.outcome === 'forward')[
              i.decision.forwardTo?.indexOf(i.recipient) ?? -1
            ]?.legalBasis ?? service.legalBasis,
        },
      };
      const { receiptId } = await forwarding.forward({ idempotencyKey, recipient: i.recipient, notice });
      return { receiptId, sent: true };
    },
  };
}

/** A UUID derived from the key, so the same forwarding always carries the same message id. */
function uuidFrom(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

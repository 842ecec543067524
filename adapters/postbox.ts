import { createHash } from 'node:crypto';
import type { DocumentRef } from '../workflows/contracts/case.js';
import type { Database } from '../db/client.js';
import { recordDelivery } from '../db/queries/deliveries.js';

export interface ApplicantMessage {
  /** Derived from the case and the message's purpose, so a retry delivers nothing new. */
  idempotencyKey: string;
  caseId: string;
  /** Pseudonymous subject of the applicant; the channel resolves the real address. */
  recipient: string;
  subject: string;
  document: DocumentRef;
}

export interface Delivered {
  deliveryId: string;
  channel: string;
  deliveredAt: Date;
}

/**
 * The HTTP postbox contract (`POST /deliveries`, the idempotency key as a header): what `HttpPostbox`
 * (http-postbox.ts) sends and what a portal's postbox, or the development stand-in (dev/stand-ins/postbox/), answers.
 */
export interface DeliveryRequest {
  caseId: string;
  recipient: string;
  subject: string;
  document: { sha256: string; mediaType: string; contentBase64: string };
}

export interface DeliveryReceipt {
  deliveryId: string;
  deliveredAt: string;
}

/**
 * How a postbox reports retrieval (§ 41 Abs. 2a VwVfG), `GET /deliveries/{deliveryId}`: when it sent the applicant the
 * notification that the document is ready, and when the applicant (authenticated) first retrieved it; absent until
 * then. A portal's postbox answers the same; the engine asks once per legal day while the retrieval window is open.
 */
export interface DeliveryRetrieval {
  deliveryId: string;
  notifiedAt: string;
  retrievedAt?: string;
}

/** The one way anything reaches an applicant: decisions, questions, notices. */
export interface Postbox {
  deliver(message: ApplicantMessage): Promise<Delivered>;
  /**
   * What the postbox knows of a delivery's retrieval. Absent where the postbox cannot report it: a Bescheid delivered
   * there counts as otherwise electronically transmitted (§ 41 Abs. 2 Satz 2 VwVfG).
   */
  retrievalOf?(deliveryId: string): Promise<DeliveryRetrieval>;
}

/** Postbox sandbox: a table the applicant's portal reads; one row per idempotency key. */
export class DatabasePostbox implements Postbox {
  constructor(private readonly db: Database) {}

  async deliver(m: ApplicantMessage): Promise<Delivered> {
    return recordDelivery(this.db, {
      idempotencyKey: m.idempotencyKey,
      deliveryId: createHash('sha256').update(m.idempotencyKey).digest('hex').slice(0, 24),
      caseId: m.caseId,
      recipient: m.recipient,
      channel: 'postbox',
      subject: m.subject,
      documentSha256: m.document.sha256,
    });
  }
}

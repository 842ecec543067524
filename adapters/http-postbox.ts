import { request } from 'undici';
import type { Database } from '../db/client.js';
import { recordDelivery } from '../db/queries/deliveries.js';
import type { DocumentStore } from './document-store.js';
import type {
  ApplicantMessage,
  Delivered,
  DeliveryReceipt,
  DeliveryRequest,
  DeliveryRetrieval,
  Postbox,
} from './postbox.js';

/**
 * Delivers to a postbox over HTTP (the sandbox, or a portal's postbox with the same contract) and records the
 * confirmed receipt in `deliveries`. The idempotency key travels as a header, so a retry gets the first receipt back.
 */
export class HttpPostbox implements Postbox {
  constructor(private readonly o: { url: string; documents: DocumentStore; db: Database; timeoutMs?: number }) {}

  async deliver(m: ApplicantMessage): Promise<Delivered> {
    const bytes = await this.o.documents.get(m.document.sha256);
    const body: DeliveryRequest = {
      caseId: m.caseId,
      recipient: m.recipient,
      subject: m.subject,
      document: { sha256: m.document.sha256, mediaType: m.document.mediaType, contentBase64: bytes.toString('base64') },
    };
    const res = await request(`${this.o.url}/deliveries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    if (res.statusCode !== 200 && res.statusCode !== 201)
      throw new Error(`postbox answered ${res.statusCode}: ${await res.body.text()}`);
    const receipt = (await res.body.json()) as DeliveryReceipt;
    return recordDelivery(this.o.db, {
      idempotencyKey: m.idempotencyKey,
      deliveryId: receipt.deliveryId,
      caseId: m.caseId,
      recipient: m.recipient,
      channel: 'postbox-http',
      subject: m.subject,
      documentSha256: m.document.sha256,
    });
  }

  /** Asks the postbox when it notified the applicant of a delivery and whether they retrieved it (postbox.ts). */
  async retrievalOf(deliveryId: string): Promise<DeliveryRetrieval> {
    const res = await request(`${this.o.url}/deliveries/${encodeURIComponent(deliveryId)}`, {
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    if (res.statusCode !== 200) throw new Error(`postbox answered ${res.statusCode}: ${await res.body.text()}`);
    const r = (await res.body.json()) as DeliveryRetrieval;
    if (typeof r.notifiedAt !== 'string') throw new Error('postbox answered no notification time');
    return r;
  }
}

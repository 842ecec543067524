import { request } from 'undici';
/** Milestones the applicant hears about, in the order a case passes them. */
export const MILESTONES = ['received', 'documents_needed', 'decided', 'delivered'] as const;
export type Milestone = (typeof MILESTONES)[number];

/** The BundID postbox's status values (as FIT-Connect's ZBP bridge sends them). */
export type BundIdStatus = 'INITIATED' | 'SUBMITTED' | 'RECEIVED' | 'PROCESSING' | 'ACTION_REQUIRED' | 'COMPLETED';

/** A status message shaped like the BundID postbox's Antragsstatusmeldung content; no personal data beyond the pseudonym. */
export interface StatusMessage {
  applicationId: string;
  status: BundIdStatus;
  statusDetails: { de: string };
  publicServiceName: { de: string };
  senderName: string;
  createdDate: string;
}

export interface StatusDelivery {
  /** One per case and milestone, so a retry sends nothing twice. */
  idempotencyKey: string;
  /** Pseudonymous subject; the postbox resolves the mailbox. */
  recipient: string;
  message: StatusMessage;
}

/** Where status messages go: the applicant's postbox (BundID in production, the postbox stand-in here). */
export interface StatusChannel {
  send(d: StatusDelivery): Promise<{ messageId: string }>;
}

/** Status messages over HTTP to a postbox with the stand-in's contract; the idempotency key travels as a header. */
export class HttpStatusChannel implements StatusChannel {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(d: StatusDelivery): Promise<{ messageId: string }> {
    const res = await request(`${this.url}/status-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': d.idempotencyKey },
      body: JSON.stringify({ recipient: d.recipient, ...d.message }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.statusCode !== 200 && res.statusCode !== 201) {
      await res.body.dump();
      throw new Error(`postbox answered ${res.statusCode} to a status message`);
    }
    return (await res.body.json()) as { messageId: string };
  }
}

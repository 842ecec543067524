import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/client.js';
import { findFitConnectSubmission, recordFitConnectSubmission } from '../../db/queries/fit-connect-submissions.js';

/** `paymentInformation` of FIT-Connect metadata 1.0.0, amounts in cents. */
export interface PortalPayment {
  transactionId: string;
  transactionReference: string;
  status: 'INITIAL' | 'BOOKED' | 'FAILED' | 'CANCELED';
  paymentMethod: string;
  /** `grossAmount` in cents; absent when the portal did not say. */
  amountCents?: number;
}

/** `replyChannel` of FIT-Connect metadata 1.0.0: the one channel the applicant chose for replies. */
export type ReplyChannel =
  | { kind: 'eMail'; address: string }
  | { kind: 'deMail'; address: string }
  | { kind: 'fink'; address: string }
  | { kind: 'elster'; address: string };

export interface FitConnectSubmissionFacts {
  payment?: PortalPayment;
  replyChannel?: ReplyChannel;
}

/** Reads `paymentInformation` (already checked against the metadata schema). */
export function paymentOf(p: unknown): PortalPayment | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const x = p as Record<string, unknown>;
  return {
    transactionId: String(x['transactionId']),
    transactionReference: String(x['transactionReference']),
    status: x['status'] as PortalPayment['status'],
    paymentMethod: String(x['paymentMethod']),
    ...(typeof x['grossAmount'] === 'number' && { amountCents: Math.round(x['grossAmount'] * 100) }),
  };
}

/** Reads `replyChannel` (already checked: exactly one of eMail, deMail, fink, elster). */
export function replyChannelOf(r: unknown): ReplyChannel | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const x = r as Record<string, Record<string, unknown> | undefined>;
  if (x['eMail']) return { kind: 'eMail', address: String(x['eMail']['address']) };
  if (x['deMail']) return { kind: 'deMail', address: String(x['deMail']['address']) };
  if (x['fink']) return { kind: 'fink', address: String(x['fink']['finkPostfachRef']) };
  if (x['elster']) return { kind: 'elster', address: String(x['elster']['accountId']) };
  return undefined;
}

/** Where the receiver leaves these facts for the case's activities (fee, delivery), keyed by case id. */
export interface SubmissionFactsStore {
  record(caseId: string, facts: FitConnectSubmissionFacts): Promise<void>;
  find(caseId: string): Promise<FitConnectSubmissionFacts | undefined>;
}

export class DatabaseSubmissionFacts implements SubmissionFactsStore {
  /**
   * What `find` answered, by case, for the case's later steps (fee, status messages, delivery: about five per case):
   * the receiver records the facts before it starts the case, so they never change while the case's steps run.
   * `null` where a case has none (it did not come through FIT-Connect).
   */
  private readonly known = new LRUCache<string, { facts: FitConnectSubmissionFacts | null }>({
    max: 1000,
    ttl: 5 * 60_000,
  });

  constructor(private readonly db: Database) {}

  async record(caseId: string, facts: FitConnectSubmissionFacts): Promise<void> {
    this.known.delete(caseId);
    if (!facts.payment && !facts.replyChannel) return;
    await recordFitConnectSubmission(this.db, { caseId, payment: facts.payment, replyChannel: facts.replyChannel });
  }

  async find(caseId: string): Promise<FitConnectSubmissionFacts | undefined> {
    const known = this.known.get(caseId);
    if (known) return known.facts ? structuredClone(known.facts) : undefined;
    const row = await findFitConnectSubmission(this.db, { caseId });
    const facts = row && {
      ...(row.payment ? { payment: row.payment as PortalPayment } : {}),
      ...(row.replyChannel ? { replyChannel: row.replyChannel as ReplyChannel } : {}),
    };
    this.known.set(caseId, { facts: facts ? structuredClone(facts) : null });
    return facts;
  }
}

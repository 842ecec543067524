import type { CaseState, EvidenceUpload, RequestedEvidence } from './contracts/case.js';

/**
 * What the case asked the applicant for and what has arrived, free of Temporal APIs.
 * It writes into the case state, so the applicant's status query shows what, why and until when.
 */
export class EvidenceRequests {
  readonly uploads = new Map<string, EvidenceUpload>();
  private waiting = false;

  constructor(private readonly state: CaseState) {}

  ask(items: RequestedEvidence[]): void {
    this.state.requestedEvidence = items;
    this.waiting = true;
  }

  get complete(): boolean {
    return (this.state.requestedEvidence ?? []).every((i) => this.uploads.has(i.evidenceType));
  }

  /** Why this upload cannot be taken now, or undefined when it can. */
  rejectionOf(u: EvidenceUpload): string | undefined {
    const item = this.state.requestedEvidence?.find((i) => i.evidenceType === u.evidenceType);
    if (!this.waiting || !item) return `the case is not waiting for evidence "${u.evidenceType}"`;
    if (this.uploads.has(u.evidenceType)) return `evidence "${u.evidenceType}" has already been uploaded`;
    if (!/^[0-9a-f]{64}$/.test(u.document?.sha256 ?? ''))
      return 'the upload must reference a stored document by its SHA-256';
    return undefined;
  }

  accept(u: EvidenceUpload): void {
    const why = this.rejectionOf(u);
    if (why) throw new Error(why);
    this.uploads.set(u.evidenceType, u);
    const item = this.state.requestedEvidence!.find((i) => i.evidenceType === u.evidenceType)!;
    item.status = 'received';
  }

  /** Stops taking uploads; whatever has not arrived is marked expired. */
  close(): void {
    this.waiting = false;
    for (const i of this.state.requestedEvidence ?? []) if (i.status === 'requested') i.status = 'expired';
  }
}

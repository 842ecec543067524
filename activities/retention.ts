import { documentsOfCase, erasePersonalData, listErasableCases } from '../db/queries/retention.js';
import { findService, listServices } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

export interface RetentionInput {
  /** From the workflow, so a retried run erases the same set. */
  asOf: string;
}

export interface RetentionReport {
  asOf: string;
  erasedCases: string[];
  erasedDocuments: number;
}

/**
 * Löschfristen: a closed case whose service's retention period (Aufbewahrungsfrist) has passed loses its personal data
 * and its documents here. What the law keeps stays: the archive package handed over as xdomea, the case's outcome and
 * decision, and the seal record (so a verifier learns the document existed and was erased).
 */
export function createRetentionActivities({ db, documents }: ActivityDeps) {
  return {
    async enforceRetention(i: RetentionInput): Promise<RetentionReport> {
      const asOf = new Date(i.asOf);
      const shortest = Math.min(...listServices().map((s) => s.retentionYears));
      const closedBefore = new Date(asOf);
      closedBefore.setUTCFullYear(closedBefore.getUTCFullYear() - shortest);
      const erasedCases: string[] = [];
      let erasedDocuments = 0;
      for (const c of await listErasableCases(db, { closedBefore })) {
        const until = new Date(c.closedAt!);
        until.setUTCFullYear(until.getUTCFullYear() + findService(c.serviceKey).retentionYears);
        if (until > asOf) continue;
        const docs = [
          ...new Set([
            ...(await documentsOfCase(db, { caseId: c.caseId })),
            ...(c.bescheidSha256 ? [c.bescheidSha256] : []),
          ]),
        ];
        for (const sha256 of docs) await documents.delete(sha256);
        erasedDocuments += docs.length;
        await erasePersonalData(db, { caseId: c.caseId });
        erasedCases.push(c.caseId);
      }
      // The log names case ids and counts only: no personal data.
      console.log(
        JSON.stringify({ msg: 'retention enforced', asOf: i.asOf, erasedCases: erasedCases.length, erasedDocuments }),
      );
      return { asOf: i.asOf, erasedCases, erasedDocuments };
    },
  };
}

import type { EvidenceResult } from '../contracts/case.js';
import type { ActivityDeps } from './deps.js';

export interface FetchEvidenceInput {
  caseId: string;
  evidenceType: string;
  register: string;
  subject: string;
  application: Record<string, unknown>;
}

/** Once-only retrieval: one activity per piece of evidence; the register's answer is kept by reference. */
export function createEvidenceActivities({ registers, documents }: ActivityDeps) {
  return {
    async fetchEvidence(i: FetchEvidenceInput): Promise<EvidenceResult> {
      const answer = await registers.lookup({ register: i.register, evidenceType: i.evidenceType, subject: i.subject, application: i.application });
      const result: EvidenceResult = { evidenceType: i.evidenceType, register: i.register, status: answer.status, facts: answer.record ?? {} };
      if (answer.record) {
        const bytes = Buffer.from(JSON.stringify({ caseId: i.caseId, register: i.register, evidenceType: i.evidenceType, record: answer.record }));
        result.ref = await documents.put(bytes, 'application/json');
      }
      return result;
    },
  };
}

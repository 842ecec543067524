import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ApplicationSource, EvidenceResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { logRetrieval } from '../db/queries/evidence-retrievals.js';
import { putAkteDocument } from '../db/queries/akte.js';
import { applicationFrom } from './antrag.js';
import type { ActivityDeps } from './deps.js';

export interface FetchEvidenceInput extends ApplicationSource {
  caseId: string;
  authorityId: string;
  evidenceType: string;
  register: string;
  purpose: string;
  subject: string;
  /** Whether the applicant consented, where the service requires consent; without it no register is called. */
  consentGiven: boolean;
}

/**
 * Once-only retrieval: one activity per piece of evidence. Every attempt is written to the transparency log;
 * the register's whole answer is kept by reference, only the facts the rules read travel in history.
 */
export function createEvidenceActivities({ registers, documents, db }: ActivityDeps) {
  return {
    async fetchEvidence(i: FetchEvidenceInput): Promise<EvidenceResult> {
      if (!i.consentGiven)
        throw ApplicationFailure.nonRetryable(`no consent to ask the ${i.register} register`, 'NoConsent');
      const attempt = Context.current().info.attempt;
      const entry = {
        caseId: i.caseId,
        subject: i.subject,
        authorityId: i.authorityId,
        register: i.register,
        evidenceType: i.evidenceType,
        purpose: i.purpose,
        attempt,
      };
      const requestedAt = new Date();
      try {
        const answer = await registers.lookup({
          register: i.register,
          evidenceType: i.evidenceType,
          subject: i.subject,
          application: await applicationFrom(db, i),
          idempotencyKey: effectKey(i.caseId, `evidence:${i.evidenceType}`),
        });
        const result: EvidenceResult = {
          evidenceType: i.evidenceType,
          register: i.register,
          status: answer.status,
          facts: answer.facts ?? {},
        };
        if (answer.record !== undefined) {
          const bytes = Buffer.from(
            JSON.stringify({
              caseId: i.caseId,
              register: i.register,
              evidenceType: i.evidenceType,
              retrievedAt: new Date().toISOString(),
              record: answer.record,
            }),
          );
          result.ref = await documents.put(bytes, 'application/json');
          await putAkteDocument(db, {
            documentId: `${i.caseId}:evidence:${i.evidenceType}`,
            caseId: i.caseId,
            kind: 'evidence',
            title: `Registerauskunft ${i.register} (${i.evidenceType})`,
            mediaType: result.ref.mediaType,
            sha256: result.ref.sha256,
            size: result.ref.size,
            blobKey: result.ref.sha256,
            authorRole: 'register',
            authorId: i.register,
          });
        }
        await logRetrieval(db, {
          ...entry,
          result: answer.status,
          documentSha256: result.ref?.sha256,
          requestedAt,
          answeredAt: new Date(),
        });
        return result;
      } catch (err) {
        // The error's class and message say what failed without carrying the query.
        await logRetrieval(db, {
          ...entry,
          result: 'error',
          detail: (err as Error).message,
          requestedAt,
          answeredAt: new Date(),
        });
        throw err;
      }
    },
  };
}

import type { ArchiveResult, Decision, DocumentRef, EvidenceResult } from '../contracts/case.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listPayments } from '../db/queries/payments.js';
import type { ActivityDeps } from './deps.js';

export interface ArchiveCaseInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  closedAt: string;
  decision?: Decision;
  bescheid: DocumentRef;
  evidence: EvidenceResult[];
}

const RETENTION_YEARS = 10;
const extensionOf = (mediaType: string): string => ({ 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' })[mediaType] ?? 'json';

/** Veraktung: one package with every document reference, the decision, payments and the event log. */
export function createArchiveActivities({ db, archive }: ActivityDeps) {
  return {
    async archiveCase(i: ArchiveCaseInput): Promise<ArchiveResult> {
      const [events, payments] = await Promise.all([listCaseEvents(db, { caseId: i.caseId }), listPayments(db, { caseId: i.caseId })]);
      const files = [
        { name: 'bescheid.pdf', ...i.bescheid },
        ...i.evidence.flatMap((e) => (e.ref ? [{ name: `evidence-${e.evidenceType}.${extensionOf(e.ref.mediaType)}`, ...e.ref }] : [])),
      ];
      return archive.store({
        caseId: i.caseId,
        serviceKey: i.serviceKey,
        authorityId: i.authorityId,
        closedAt: i.closedAt,
        retentionYears: RETENTION_YEARS,
        files,
        decision: i.decision ?? null,
        payments,
        events: events.map((e) => ({ ...e, at: e.at.toISOString() })),
      });
    },
  };
}

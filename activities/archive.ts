import type { ArchiveResult, Decision, DocumentRef, EvidenceResult } from '../workflows/contracts/case.js';
import { EventChainBrokenError, verifyEventChain } from '../db/event-chain.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listPayments } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';
import { fileReferenceOf } from './documents.js';

export interface ArchiveCaseInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  closedAt: string;
  decision?: Decision;
  /** The sealed Bescheid. */
  bescheid: DocumentRef;
  evidence: EvidenceResult[];
}

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value, null, 2));
const extensionOf = (mediaType: string): string =>
  ({ 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' })[mediaType] ?? 'json';

/** Veraktung: one package with the sealed Bescheid, evidence, the decision with its explanation, payments and the event log. */
export function createArchiveActivities({ db, archive, documents }: ActivityDeps) {
  return {
    async archiveCase(i: ArchiveCaseInput): Promise<ArchiveResult> {
      const [events, payments] = await Promise.all([
        listCaseEvents(db, { caseId: i.caseId }),
        listPayments(db, { caseId: i.caseId }),
      ]);
      const chain = verifyEventChain(events);
      // A broken log must not be sealed into the archive as if it were whole.
      if (!chain.valid) throw new EventChainBrokenError(i.caseId, chain.problems);
      const evidence = await Promise.all(
        i.evidence
          .flatMap((e) => (e.ref ? [{ e, ref: e.ref }] : []))
          .map(async ({ e, ref }) => ({
            name: `evidence-${e.evidenceType}.${extensionOf(ref.mediaType)}`,
            kind: 'Nachweis',
            mediaType: ref.mediaType,
            bytes: await documents.get(ref.sha256),
          })),
      );
      return archive.store({
        caseId: i.caseId,
        serviceKey: i.serviceKey,
        authorityId: i.authorityId,
        closedAt: i.closedAt,
        retentionYears: findService(i.serviceKey).retentionYears,
        eventLogHead: chain.head,
        xdomea: xdomeaHead(i, events[0]?.at),
        files: [
          {
            name: 'bescheid.pdf',
            kind: 'Bescheid',
            mediaType: 'application/pdf',
            bytes: await documents.get(i.bescheid.sha256),
          },
          ...evidence,
          {
            name: 'decision.json',
            kind: 'Entscheidung',
            mediaType: 'application/json',
            bytes: json(i.decision ?? null),
          },
          { name: 'payments.json', kind: 'Zahlungen', mediaType: 'application/json', bytes: json(payments) },
          { name: 'events.json', kind: 'Ereignisprotokoll', mediaType: 'application/json', bytes: json(events) },
        ],
      });
    },
  };
}

function xdomeaHead(i: ArchiveCaseInput, firstEventAt: Date | string | undefined) {
  const service = findService(i.serviceKey);
  const authority = service.authorities[i.authorityId];
  if (!authority) return undefined;
  const openedAt = firstEventAt ? new Date(firstEventAt).toISOString() : i.closedAt;
  return {
    authorityName: authority.name,
    serviceName: service.name,
    fileReference: fileReferenceOf(authority, i.caseId, openedAt),
    openedAt,
  };
}

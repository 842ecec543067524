import type { ArchiveResult, Decision, DocumentRef, EvidenceResult } from '../workflows/contracts/case.js';
import { EventChainBrokenError, verifyEventChain } from '../db/event-chain.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listPayments } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import canonicalize from 'canonicalize';
import { AKTENVERZEICHNIS, type AkteIndexEntry, type ArchiveFile } from '../adapters/archive-store.js';
import { sha256Hex } from '../adapters/document-store.js';
import {
  addAkteDocument,
  antragDocumentId,
  findAkte,
  findAkteDocument,
  listAkteDocuments,
} from '../db/queries/akte.js';
import { renderAntragPdf } from '../adapters/documents/bescheid-pdf.js';
import { labelApplication } from '../services/application-labels.js';
import type { ActivityDeps } from './deps.js';
import { fileReferenceOf } from './documents.js';

export interface ArchiveCaseInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  closedAt: string;
  decision?: Decision;
  /** The sealed Bescheid (or, for an approval by fiction, the sealed certificate of the fiction). */
  bescheid: DocumentRef;
  /** What the sealed document is, in the package's index; absent: a Bescheid. */
  bescheidKind?: string;
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
      const akte = await akteFiles(db, documents, i.caseId);
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
        aktenzeichen: akte?.aktenzeichen,
        eventLogHead: chain.head,
        xdomea: xdomeaHead(i, events[0]?.at, akte?.aktenzeichen),
        files: [
          {
            name: 'bescheid.pdf',
            kind: i.bescheidKind ?? 'Bescheid',
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
          ...(akte?.files ?? []),
        ],
      });
    },
  };
}

/**
 * The Akte in the package: the Antrag as submitted (canonical JSON, so its SHA-256 is the index's), every indexed
 * document whose bytes are in the blob store (questions, answers, uploads), and the document index itself.
 */
async function akteFiles(db: ActivityDeps['db'], documents: ActivityDeps['documents'], caseId: string) {
  const akte = await findAkte(db, { caseId });
  if (!akte) return undefined;
  const antrag = await findAkteDocument(db, { documentId: antragDocumentId(caseId) });
  const pdf = antrag?.content
    ? await fileAntragPdf(db, documents, akte, antrag.content as Record<string, unknown>)
    : undefined;
  const index = await listAkteDocuments(db, { caseId });
  const files: ArchiveFile[] = [];
  if (antrag?.content)
    files.push({
      name: 'antrag.json',
      kind: 'Antrag',
      mediaType: 'application/json',
      bytes: Buffer.from(canonicalize(antrag.content) ?? 'null'),
    });
  if (pdf) files.push({ name: 'antrag.pdf', kind: 'Antrag', mediaType: 'application/pdf', bytes: pdf });
  // The Bescheid and register answers are in the package already, under their own names.
  for (const d of index)
    if (d.blobKey && KIND_TITLES[d.kind] && !files.some((f) => sha256Hex(f.bytes) === d.sha256))
      files.push({
        name: `${d.kind}-${d.sha256.slice(0, 12)}.${extensionOf(d.mediaType)}`,
        kind: KIND_TITLES[d.kind]!,
        mediaType: d.mediaType,
        bytes: await documents.get(d.blobKey),
      });
  const entries: AkteIndexEntry[] = index.map((d) => ({
    documentId: d.documentId,
    kind: d.kind,
    title: d.title,
    mediaType: d.mediaType,
    sha256: d.sha256,
    size: d.size,
    authorRole: d.authorRole,
    authorId: d.authorId,
    createdAt: d.createdAt.toISOString(),
    replaces: d.replaces,
  }));
  files.push({ name: 'akte-index.json', kind: AKTENVERZEICHNIS, mediaType: 'application/json', bytes: json(entries) });
  return { aktenzeichen: akte.aktenzeichen, files };
}

/** The Antrag PDF's entry in the index: one per case. */
export const antragPdfDocumentId = (caseId: string) => `${caseId}:antrag-pdf`;

/**
 * Renders the Antrag as the applicant would recognise it (the form's labels and their values) and files it in the
 * Akte's index as a second `antrag` entry beside the JSON (it replaces nothing). The bytes follow from the submission
 * alone, so a retried activity stores the same document and the index keeps one entry.
 */
async function fileAntragPdf(
  db: ActivityDeps['db'],
  documents: ActivityDeps['documents'],
  akte: NonNullable<Awaited<ReturnType<typeof findAkte>>>,
  application: Record<string, unknown>,
): Promise<Uint8Array> {
  const service = findService(akte.serviceKey);
  const bytes = await renderAntragPdf({
    fileReference: akte.aktenzeichen,
    authorityName: service.authorities[akte.authorityId]?.name ?? akte.authorityId,
    serviceName: service.name,
    submittedAt: akte.submittedAt.toISOString(),
    schemaId: akte.schemaId,
    schemaVersion: akte.schemaVersion,
    fields: labelApplication(service, akte.schemaVersion, application),
  });
  const ref = await documents.put(bytes, 'application/pdf');
  await addAkteDocument(db, {
    documentId: antragPdfDocumentId(akte.caseId),
    caseId: akte.caseId,
    kind: 'antrag',
    title: `Antrag (PDF): ${service.name}`,
    mediaType: 'application/pdf',
    sha256: ref.sha256,
    size: ref.size,
    blobKey: ref.sha256,
    authorRole: 'engine',
    createdAt: akte.submittedAt,
  });
  return bytes;
}

const KIND_TITLES: Record<string, string> = {
  question: 'Schreiben an die antragstellende Person',
  answer: 'Schreiben der antragstellenden Person',
  upload: 'Nachweis',
};

function xdomeaHead(i: ArchiveCaseInput, firstEventAt: Date | string | undefined, aktenzeichen?: string) {
  const service = findService(i.serviceKey);
  const authority = service.authorities[i.authorityId];
  if (!authority) return undefined;
  const openedAt = firstEventAt ? new Date(firstEventAt).toISOString() : i.closedAt;
  return {
    authorityName: authority.name,
    serviceName: service.name,
    fileReference: aktenzeichen ?? fileReferenceOf(authority, i.caseId, openedAt),
    openedAt,
  };
}

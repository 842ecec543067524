import {
  activeHoldsOfCase,
  archivePackageOf,
  type CaseDocument,
  documentsOfCase,
  erasePersonalData,
  evidenceStillNeeded,
  lastPaymentOf,
  listErasableCases,
} from '../db/queries/retention.js';
import type { DbExecutor } from '../db/client.js';
import { bekanntgabeDocumentId, findAkteDocument } from '../db/queries/akte.js';
import type { BekanntgabeRecord } from '../workflows/contracts/bekanntgabe.js';
import { type CaseRetention, retentionOf } from '../services/retention.js';
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
  /** Of those, the applicant's uploaded evidence and evidence documents from registers. */
  erasedEvidence?: number;
}

/**
 * Löschfristen: a closed case whose service's retention period (Aufbewahrungsfrist) has passed loses its personal data
 * and its documents here: the Bescheid, delivered letters, the evidence the applicant uploaded and what registers
 * returned. What the law keeps stays: the archive package handed over as xdomea, the case's outcome and decision, and
 * the seal record (so a verifier learns the document existed and was erased). Each erasure is recorded in `erasures`
 * (kinds and hashes, what was kept) and logged with ids and counts only.
 */
export function createRetentionActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async enforceRetention(i: RetentionInput): Promise<RetentionReport> {
      const asOf = new Date(i.asOf);
      // No service's period ends before closure plus its years: cases closed since cannot be due yet.
      const shortest = Math.min(...listServices().map((s) => s.retentionYears));
      const closedBefore = new Date(asOf);
      closedBefore.setUTCFullYear(closedBefore.getUTCFullYear() - shortest);
      const erasedCases: string[] = [];
      let erasedDocuments = 0;
      let erasedEvidence = 0;
      for (const c of await listErasableCases(db, { closedBefore })) {
        const retention = await caseRetention(db, c, asOf);
        // A legal hold or an objection keeps everything; so does a period that has not ended.
        if (!retention.erasable) continue;
        const r = await eraseCase(deps, c, asOf, retention, 'retention');
        erasedDocuments += r.erasedDocuments;
        erasedEvidence += r.erasedEvidence;
        erasedCases.push(c.caseId);
      }
      // The log names counts only: no personal data.
      console.log(
        JSON.stringify({
          msg: 'retention enforced',
          asOf: i.asOf,
          erasedCases: erasedCases.length,
          erasedDocuments,
          erasedEvidence,
        }),
      );
      return { asOf: i.asOf, erasedCases, erasedDocuments, erasedEvidence };
    },
  };
}

/** A case's retention as its service declares it, with its last payment and the holds in force. */
export async function caseRetention(
  db: DbExecutor,
  c: { caseId: string; serviceKey: string; closedAt: Date | null },
  asOf = new Date(),
): Promise<CaseRetention> {
  const [lastPaymentAt, holds, bekanntgabe] = await Promise.all([
    lastPaymentOf(db, { caseId: c.caseId }),
    activeHoldsOfCase(db, { caseId: c.caseId }),
    findAkteDocument(db, { documentId: bekanntgabeDocumentId(c.caseId) }),
  ]);
  // Bestandskraft as the Bekanntgabe recorded it (the day after the remedy period, computed per Land); an objection in
  // time holds the case anyway. Without a recorded Bekanntgabe the period is provisional (services/retention.ts).
  const record = bekanntgabe?.kind === 'bekanntgabe' ? (bekanntgabe.content as BekanntgabeRecord) : undefined;
  const finalAt = record ? new Date(`${record.finalOn}T00:00:00Z`) : null;
  return retentionOf(findService(c.serviceKey), { closedAt: c.closedAt, lastPaymentAt, holds, finalAt }, asOf);
}

/**
 * Erases one closed case's personal data and documents (the retention job's, and an Art. 17 request's where no rule
 * keeps the case): the Bescheid, delivered letters, uploaded evidence and register answers go; outcome, decision, seal
 * record and archive package stay. Recorded in `erasures` with kinds and hashes only.
 */
export async function eraseCase(
  { db, documents, archive }: Pick<ActivityDeps, 'db' | 'documents'> & { archive?: ActivityDeps['archive'] },
  c: { caseId: string; serviceKey: string; bescheidSha256: string | null },
  asOf: Date,
  retention: CaseRetention,
  trigger: 'retention' | 'art-17',
): Promise<{ erasedDocuments: number; erasedEvidence: number }> {
  const docs: CaseDocument[] = await documentsOfCase(db, { caseId: c.caseId });
  if (c.bescheidSha256 && !docs.some((d) => d.sha256 === c.bescheidSha256))
    docs.push({ kind: 'bescheid', sha256: c.bescheidSha256 });
  const kept = ['case outcome', 'decision with its explanation', 'seal record'];
  const pkg = await archivePackageOf(db, { caseId: c.caseId });
  if (pkg) {
    kept.push(`archive package ${pkg}`);
    if (retention.disposal === 'offer_to_archive') kept.push(`offered to the archive: package ${pkg}`);
    // Evidence handed to the case some other way than the upload route (a Fachverfahren's own client) is found
    // in the package's list; the document store's copy goes, the archive's copy stays.
    // (A process without the archive store, an API built without it, erases what the database lists.)
    const manifest = await archive?.read(pkg).catch(() => undefined);
    for (const d of manifest?.Akte.Vorgang.Dokumente ?? [])
      if (d.Typ === 'Nachweis' && !docs.some((x) => x.sha256 === d.Datei.SHA256))
        docs.push({ kind: 'evidence_upload', sha256: d.Datei.SHA256 });
  }
  const evidence = docs.filter((d) => d.kind === 'evidence_upload' || d.kind === 'register_evidence');
  const shared = await evidenceStillNeeded(db, { caseId: c.caseId, sha256s: evidence.map((d) => d.sha256) });
  const erased = docs.filter((d) => !shared.has(d.sha256));
  for (const d of erased) await documents.delete(d.sha256);
  if (shared.size) kept.push(`${shared.size} evidence document(s) another case still holds`);
  await erasePersonalData(db, {
    caseId: c.caseId,
    serviceKey: c.serviceKey,
    asOf,
    retentionYears: retention.retentionYears,
    documents: erased,
    kept,
    runsFrom: retention.runsFrom,
    retainedUntil: retention.until,
    disposal: retention.disposal,
    trigger,
  });
  return { erasedDocuments: erased.length, erasedEvidence: erased.filter((d) => evidence.includes(d)).length };
}

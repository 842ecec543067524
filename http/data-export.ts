import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { DocumentStore } from '../adapters/document-store.js';
import type { Database } from '../db/client.js';
import { accessLogForApplicant } from '../db/queries/access-log.js';
import { listAkteDocumentContents, listAktenOfApplicant } from '../db/queries/akte.js';
import { getCase } from '../db/queries/cases.js';
import { erasureRequestsOf } from '../db/queries/retention.js';
import { listDecisions } from '../db/queries/decisions.js';
import { listRetrievalsOfCase } from '../db/queries/evidence-retrievals.js';
import { AKTE_DOCUMENT_KINDS } from '../db/schema.js';
import { findService } from '../services/catalogue.js';
import { labelApplication } from './workbench/labels.js';

/** One file of the export, as the index lists it. */
interface ExportEntry {
  path: string;
  description: string;
  sha256: string;
  size: number;
}

const iso = (d: Date | string | null | undefined) => (d instanceof Date ? d.toISOString() : (d ?? null));
const json = (v: unknown) => strToU8(`${JSON.stringify(v, (_k, x) => (x instanceof Date ? x.toISOString() : x), 2)}\n`);
/** A file name from a title or Aktenzeichen: letters, digits, dot, dash and underscore only. */
const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 80);

const extensionOf: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/json': 'json',
  'application/xml': 'xml',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'text/plain': 'txt',
};

/**
 * Auskunft nach Art. 15 DSGVO: everything the engine holds about one applicant (their pseudonymous subject) as a ZIP.
 * Only the Akten filed under this subject are read, and every file comes from one of them or from the entries about
 * this subject: nothing of another person can reach it. Documents already erased are named in the index as erased.
 */
export async function buildDataExport(
  o: { db: Database; documents: DocumentStore },
  subject: string,
  now = new Date(),
): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const index: ExportEntry[] = [];
  const missing: Array<{ path: string; reason: string }> = [];
  const add = (path: string, bytes: Uint8Array, description: string) => {
    files[path] = bytes;
    index.push({ path, description, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
  };

  const akten = await listAktenOfApplicant(o.db, { applicantSubject: subject });
  const overview: unknown[] = [];
  for (const akte of akten) {
    const dir = `faelle/${safe(akte.aktenzeichen)}`;
    const service = findService(akte.serviceKey);
    const row = await getCase(o.db, { caseId: akte.caseId });
    const finalState = akte.finalState as { decision?: unknown; status?: string; outcome?: string } | null;
    overview.push({
      aktenzeichen: akte.aktenzeichen,
      caseId: akte.caseId,
      service: { key: akte.serviceKey, name: service.name, legalBasis: service.legalBasis },
      authorityId: akte.authorityId,
      status: row?.status ?? finalState?.status ?? null,
      outcome: row?.outcome ?? finalState?.outcome ?? null,
      submittedAt: iso(akte.submittedAt),
      closedAt: iso(row?.closedAt),
      folder: `${dir}/`,
    });

    const docs = await listAkteDocumentContents(o.db, { caseId: akte.caseId, kinds: [...AKTE_DOCUMENT_KINDS] });
    for (const [i, d] of docs.entries()) {
      const n = String(i + 1).padStart(2, '0');
      if (d.kind === 'antrag' && d.content) {
        add(
          `${dir}/${n}-antrag.json`,
          json({
            title: d.title,
            submittedAt: iso(d.createdAt),
            schemaVersion: akte.schemaVersion,
            fields: labelApplication(service, akte.schemaVersion, d.content as Record<string, unknown>),
            application: d.content,
          }),
          'Ihr Antrag, wie Sie ihn gestellt haben: jedes Feld mit seiner Bezeichnung im Formular',
        );
        continue;
      }
      const path = `${dir}/${n}-${d.kind}-${safe(d.title)}.${extensionOf[d.mediaType] ?? 'bin'}`;
      const bytes = d.blobKey
        ? await o.documents.get(d.sha256).then(
            (b) => new Uint8Array(b),
            () => undefined,
          )
        : d.content
          ? json(d.content)
          : undefined;
      if (bytes) add(path, bytes, `${d.title} (${d.kind}, ${iso(d.createdAt)})`);
      else missing.push({ path, reason: 'nicht mehr gespeichert (gelöscht nach Ablauf der Aufbewahrungsfrist)' });
    }

    const decisions = await listDecisions(o.db, { caseId: akte.caseId });
    add(
      `${dir}/entscheidungen.json`,
      json({
        rules: decisions.map((d) => ({
          outcome: d.outcome,
          ruleSet: { id: d.ruleSetId, version: d.ruleSetVersion, sha256: d.ruleSetHash },
          firedRules: d.firedRules,
          facts: d.facts,
          decidedAt: iso(d.decidedAt),
        })),
        final: finalState?.decision ?? row?.decision ?? null,
      }),
      'Die Entscheidungen über Ihren Antrag mit ihrer Begründung: angewandte Regeln, Gründe, Rechtsgrundlage',
    );
    add(
      `${dir}/registerabrufe.json`,
      json(await listRetrievalsOfCase(o.db, { caseId: akte.caseId })),
      'Welche Register für diesen Antrag abgefragt wurden, wann, wozu und mit welchem Ergebnis',
    );
  }
  add('faelle.json', json(overview), 'Ihre Anträge (Fälle) im Überblick, mit Aktenzeichen und Stand');

  const log = await accessLogForApplicant(o.db, subject);
  add(
    'zugriffe.json',
    json(
      log.map((e) => ({
        at: iso(e.at),
        who: { id: e.actorId, role: e.actorRole, authorityId: e.actorAuthorityId },
        kind: e.kind,
        what: e.what,
        caseId: e.caseId,
        authorityId: e.authorityId,
        outcome: e.outcome,
      })),
    ),
    'Wer bei der Behörde Ihre Akten gelesen hat (oder es versucht hat): wann, was, mit welcher Rolle',
  );

  const requests = await erasureRequestsOf(o.db, {
    subjectSha256: createHash('sha256').update(subject).digest('hex'),
  });
  add(
    'loeschantraege.json',
    json(requests.map((r) => ({ requestId: r.requestId, requestedAt: iso(r.requestedAt), cases: r.cases }))),
    'Ihre Anträge auf Löschung (Art. 17 DSGVO): was gelöscht wurde, was warum und bis wann aufbewahrt wird',
  );

  const readme = [
    'Auskunft nach Art. 15 DSGVO',
    '==========================',
    '',
    `Erstellt: ${now.toISOString()}`,
    `Für: ${subject} (Ihr pseudonymes Kennzeichen beim Nutzerkonto)`,
    '',
    'Dieses Archiv enthält alles, was das Fallbearbeitungssystem über Sie gespeichert hat:',
    '- faelle.json: Ihre Anträge mit Aktenzeichen, Leistung, Behörde und Stand',
    '- faelle/<Aktenzeichen>/: je Antrag der Antrag selbst, Nachweise, Rückfragen und Ihre Antworten, Bescheide,',
    '  die Entscheidungen mit ihrer Begründung (entscheidungen.json) und die Registerabrufe (registerabrufe.json)',
    '- zugriffe.json: wer bei der Behörde Ihre Akten gelesen hat',
    '- loeschantraege.json: Ihre Anträge auf Löschung und wie sie beschieden wurden',
    '- index.json: jede Datei mit Beschreibung, Größe und SHA-256-Prüfsumme',
    '',
    'Zwecke, Empfänger und Speicherdauer nennt die Datenschutzerklärung der Behörde; Berichtigung (Art. 16) und',
    'Löschung (Art. 17) können Sie bei ihr beantragen.',
    '',
    'Dateien:',
    ...index.map((e) => `- ${e.path}: ${e.description}`),
    ...missing.map((m) => `- ${m.path}: ${m.reason}`),
    '',
  ].join('\n');
  add('LIESMICH.txt', strToU8(readme), 'Diese Beschreibung');
  files['index.json'] = json({ subject, createdAt: now.toISOString(), files: index, notIncluded: missing });
  return zipSync(files, { level: 6, mtime: now });
}

import type { FastifyInstance } from 'fastify';
import type { StaffActor } from '../../workflows/contracts/task.js';
import type { Database } from '../../db/client.js';
import { listVermerke } from '../../db/queries/notes.js';
import { listTasksOfCase } from '../../db/queries/tasks.js';
import { findCorrection } from '../../db/queries/corrections.js';
import { followUpsOf } from '../../db/queries/task-follow-ups.js';
import { listLetters, templatesFor } from './letters.js';
import { antragDocumentId, findAkte, findAkteDocument } from '../../db/queries/akte.js';
import { listColleagues } from '../../db/queries/staff-directory.js';
import { CASE_FILE_PANELS, type CaseFiles, maySeePanel } from './case-file.js';
import { HttpProblem } from '../problem.js';
import { caseNotFound, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';
import { casePage, type CasePageData, INLINE_MEDIA_TYPES, staffName } from './views.js';

const caseIdPattern = /^[0-9a-f-]{36}$/;

/** What the case page shows after an action; keyed by the action the redirect names. */
const done: Record<string, string> = {
  claim: 'Sie haben die Aufgabe übernommen.',
  unclaim: 'Sie haben die Aufgabe zurückgegeben.',
  reassign: 'Die Aufgabe ist neu zugewiesen.',
  ask: 'Die Rückfrage ist gesendet.',
  decide: 'Die Entscheidung ist gespeichert.',
  send_back: 'Der Vorschlag ist mit Ihrem Hinweis an die erste Sachbearbeitung zurückgegangen.',
  note: 'Der Vermerk ist in der Akte gespeichert.',
  letter: 'Das Schreiben ist an das Postfach der antragstellenden Person gesendet und in der Akte abgelegt.',
  delivered: 'Die Zustellung ist als erledigt gemeldet.',
  followup: 'Die Wiedervorlage ist gespeichert.',
  followup_cleared: 'Die Wiedervorlage ist aufgehoben.',
  correction: 'Der Vorschlag ist gespeichert; eine zweite Person muss ihn bestätigen (Vier-Augen-Prinzip).',
  correction_decided: 'Ihre Entscheidung über die Rücknahme oder den Widerruf ist gespeichert.',
};

export type CaseData = Omit<CasePageData, 'notice' | 'error' | 'form'>;

/** The case file's panels and the case's tasks, when the case belongs to the actor's authority. */
export async function caseData(
  d: { files: CaseFiles; db: Database },
  actor: StaffActor,
  caseId: string,
): Promise<CaseData | undefined> {
  // The page shows the whole file: only for the roles that may see every panel (PANEL_ROLES).
  if (!CASE_FILE_PANELS.every((p) => maySeePanel(actor.role, p)))
    throw new HttpProblem(403, 'Die Akte ist Sachbearbeitung und Leitung vorbehalten.', { title: 'Kein Zugriff' });
  const row = caseIdPattern.test(caseId) ? await d.files.caseFor(actor, caseId) : undefined;
  if (!row) return undefined;
  const [panels, tasks, vermerke, letters, akte, antrag, staff, correction] = await Promise.all([
    Promise.all(CASE_FILE_PANELS.map((p) => d.files.panel(p, row))),
    listTasksOfCase(d.db, { caseId }),
    listVermerke(d.db, { caseId }),
    listLetters(d.db, caseId),
    findAkte(d.db, { caseId }),
    findAkteDocument(d.db, { documentId: antragDocumentId(caseId) }),
    listColleagues(d.db, { authorityId: actor.authorityId }),
    findCorrection(d.db, { caseId }),
  ]);
  const byName = Object.fromEntries(CASE_FILE_PANELS.map((p, i) => [p, panels[i]!])) as Record<
    (typeof CASE_FILE_PANELS)[number],
    Record<string, unknown>
  >;
  // Register answers as labelled fields on the page, not only as a JSON download.
  const retrievals = (byName.evidence['retrievals'] ?? []) as Array<{ documentSha256?: string | null }>;
  const [followUps, records] = await Promise.all([
    followUpsOf(d.db, { taskIds: tasks.map((t) => t.taskId) }),
    Promise.all(
      retrievals.map(async (r) =>
        r.documentSha256 ? await d.files.registerRecord(retrievals, r.documentSha256) : undefined,
      ),
    ),
  ]);
  byName.evidence = {
    ...byName.evidence,
    retrievals: retrievals.map((r, i) => ({ ...r, record: records[i] })),
  };
  const application = (antrag?.content ?? null) as Record<string, unknown> | null;
  const business = application?.['business'] as { name?: unknown } | undefined;
  return {
    caseId,
    staff,
    // Who and which file, from the Akte (the identity provider's name, the application's address), never from Temporal.
    person: {
      aktenzeichen: akte?.aktenzeichen ?? null,
      name: (akte?.identity as { name?: { givenName: string; familyName: string } } | undefined)?.name ?? null,
      application: application && {
        address: application['address'],
        business: business?.name,
        licensePlate: application['licensePlate'],
        birthDate: application['birthDate'],
      },
    },
    ...byName,
    notesAndLetters: {
      // Colleagues by their names from the directory, never by login id.
      vermerke: vermerke.map((v) => ({
        ...v,
        authorId: v.authorId && staffName(staff, v.authorId),
        createdAt: v.createdAt.toISOString(),
      })),
      letters: letters.map((l) => ({ ...l, by: l.by && staffName(staff, l.by) })),
      templates: templatesFor(row.serviceKey),
    },
    ...(correction && {
      correction: {
        kind: correction.kind,
        effect: correction.effect,
        stage: correction.stage,
        proposedBy: staffName(staff, correction.proposedBy),
        proposedByMe: correction.proposedBy === actor.id,
        proposedAt: correction.proposedAt.toISOString(),
        confirmedBy: correction.confirmedBy && staffName(staff, correction.confirmedBy),
        reclaimCents: correction.reclaimCents,
        refundFeeCents: correction.refundFeeCents,
      },
    }),
    tasks: tasks.map((t) => ({
      ...t,
      dueAt: t.dueAt.toISOString(),
      escalatedAt: t.escalatedAt?.toISOString() ?? null,
      createdAt: t.createdAt.toISOString(),
      followUp: followUps.get(t.taskId) ?? null,
    })),
  };
}

/** The case page (Akte with its tasks' forms) and the download of a document it lists. */
export function casePageRoutes(
  app: FastifyInstance,
  d: { files: CaseFiles; db: Database; pages: WorkbenchPages },
): void {
  const { files, pages } = d;

  app.get<{ Params: { caseId: string }; Querystring: { done?: string } }>(
    '/workbench/cases/:caseId',
    { ...pages.route, config: { ...pages.route.config, accessLog: { kind: 'page', what: 'case' } } },
    async (req, reply) => {
      const data = await caseData(d, actorOf(req.staff!), req.params.caseId);
      if (!data) throw caseNotFound();
      return pages.send(reply, casePage(pages.context(req, reply), { ...data, notice: done[req.query.done ?? ''] }));
    },
  );

  app.get<{ Params: { caseId: string; sha256: string }; Querystring: { inline?: string } }>(
    '/workbench/cases/:caseId/documents/:sha256',
    { ...pages.route, config: { ...pages.route.config, accessLog: { kind: 'document' } } },
    async (req, reply) => {
      const { caseId, sha256 } = req.params;
      // The objection authority's staff open the objection's attachments and the Bescheide too.
      const row = caseIdPattern.test(caseId)
        ? await files.caseFor(actorOf(req.staff!), caseId, { asObjectionAuthority: true })
        : undefined;
      const doc = row && /^[0-9a-f]{64}$/.test(sha256) ? await files.document(row, sha256) : undefined;
      if (!doc) throw caseNotFound();
      // Images and PDFs may be shown inside the case page (`?inline=1`); anything else is only ever downloaded.
      const inline = req.query.inline === '1' && INLINE_MEDIA_TYPES.includes(doc.mediaType);
      return reply
        .type(doc.mediaType)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header(
          'content-disposition',
          `${inline ? 'inline' : 'attachment'}; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"`,
        )
        .send(doc.bytes);
    },
  );
}

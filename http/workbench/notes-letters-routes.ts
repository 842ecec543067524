import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DocumentStore } from '../../adapters/document-store.js';
import type { Postbox } from '../../adapters/postbox.js';
import type { TaskClient } from '../../client/task-client.js';
import type { Database } from '../../db/client.js';
import { fileVermerk } from '../../db/queries/notes.js';
import type { CaseFiles } from './case-file.js';
import { caseData, type CaseData } from './case-page-routes.js';
import { isTemplateId, letterDraft, listLetters, previewBescheidFor, previewLetter, sendLetter } from './letters.js';
import { caseNotFound, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';
import { casePage, type CasePageData } from './views.js';

interface Deps {
  files: CaseFiles;
  db: Database;
  tasks: TaskClient;
  pages: WorkbenchPages;
  documents?: DocumentStore;
  /** Where letters go; without it the workbench previews letters but cannot send them. */
  postbox?: Postbox;
}

type CaseForm = FastifyRequest<{ Params: { caseId: string }; Body: Record<string, string> }>;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const field = (b: Record<string, string>, k: string, max: number) =>
  typeof b[k] === 'string' ? b[k]!.trim().slice(0, max) : '';

/**
 * Internal notes (Vermerke), letters from templates and the Bescheid's preview: written on the case page, filed in the
 * Akte. A Vermerk never leaves the Akte; a letter goes to the applicant's postbox once per letter id.
 */
export function notesAndLettersRoutes(app: FastifyInstance, d: Deps): void {
  const guarded = { ...d.pages.route, preHandler: app.csrfProtection };
  const again = (req: CaseForm, reply: FastifyReply, data: CaseData, status: number, more: Partial<CasePageData>) =>
    d.pages.send(reply, casePage(d.pages.context(req, reply), { ...data, ...more }), status);
  const own = async (req: CaseForm) => {
    const data = await caseData(d, actorOf(req.staff!), req.params.caseId);
    if (!data) throw caseNotFound();
    return data;
  };
  const pdf = (reply: FastifyReply, bytes: Uint8Array, name: string) =>
    reply.type('application/pdf').header('content-disposition', `inline; filename="${name}"`).send(Buffer.from(bytes));

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/notes',
    guarded,
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const data = await own(req);
      const b = req.body ?? {};
      const text = field(b, 'noteText', 5000);
      const form = { noteText: String(b['noteText'] ?? ''), noteId: String(b['noteId'] ?? '') };
      if (!text)
        return again(req, reply, data, 422, { form, error: { message: 'Bitte schreiben Sie Ihren Vermerk.' } });
      // The form's id makes a repeated submission (a reload, a double click) one Vermerk.
      const noteId = uuid.test(String(b['noteId'])) ? String(b['noteId']) : randomUUID();
      await fileVermerk(d.db, {
        documentId: `${data.caseId}:note:${noteId}`,
        caseId: data.caseId,
        title: 'Vermerk',
        text,
        authorId: actor.id,
        createdAt: new Date(),
      });
      return reply.redirect(`/workbench/cases/${data.caseId}?done=note#notice`, 303);
    },
  );

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/letters',
    guarded,
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const data = await own(req);
      const b = req.body ?? {};
      const template = b['letterTemplate'];
      if (!isTemplateId(template))
        return again(req, reply, data, 422, { error: { message: 'Bitte wählen Sie eine Vorlage.' } });
      if (b['step'] === 'fill') {
        const draft = await letterDraft(d.db, data.caseId, template);
        if (!draft) throw caseNotFound();
        return again(req, reply, data, 200, {
          form: {
            letterTemplate: template,
            letterId: draft.letterId,
            letterSubject: draft.subject,
            letterBody: draft.body,
          },
          notice:
            'Die Vorlage ist eingesetzt. Bitte ergänzen Sie den Text, sehen Sie den Entwurf an und senden Sie ihn.',
        });
      }
      const letter = {
        letterId: uuid.test(String(b['letterId'])) ? String(b['letterId']) : randomUUID(),
        template,
        subject: field(b, 'letterSubject', 200),
        body: field(b, 'letterBody', 10_000),
      };
      const form = {
        letterTemplate: template,
        letterId: letter.letterId,
        letterSubject: String(b['letterSubject'] ?? ''),
        letterBody: String(b['letterBody'] ?? ''),
      };
      if (!letter.subject || !letter.body)
        return again(req, reply, data, 422, { form, error: { message: 'Bitte füllen Sie Betreff und Text aus.' } });
      if (b['step'] === 'preview') {
        const bytes = await previewLetter(d.db, data.caseId, letter);
        if (!bytes) throw caseNotFound();
        return pdf(reply, bytes, 'entwurf-schreiben.pdf');
      }
      if (!d.postbox || !d.documents)
        return again(req, reply, data, 503, {
          form,
          error: { message: 'Der Versand an das Postfach ist nicht eingerichtet.' },
        });
      const sent = await sendLetter(
        { db: d.db, documents: d.documents, postbox: d.postbox },
        data.caseId,
        actor.id,
        letter,
      );
      if (!sent) throw caseNotFound();
      return reply.redirect(`/workbench/cases/${data.caseId}?done=letter#notice`, 303);
    },
  );

  app.get<{ Params: { caseId: string; sha256: string } }>(
    '/workbench/cases/:caseId/letters/:sha256',
    d.pages.route,
    async (req, reply) => {
      const data = await own(req as unknown as CaseForm);
      const letter = (await listLetters(d.db, data.caseId)).find((l) => l.sha256 === req.params.sha256);
      if (!letter || !d.documents) throw caseNotFound();
      return pdf(reply, await d.documents.get(letter.sha256), 'schreiben.pdf');
    },
  );

  /** The Bescheid as the form's decision (or, at the second look, the proposal) would issue it, marked „Entwurf“. */
  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/bescheid-preview',
    guarded,
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const data = await own(req);
      const b = req.body ?? {};
      const task = await d.tasks.find(String(b['taskId'] ?? ''));
      if (!task || task.caseId !== data.caseId) throw caseNotFound();
      const live = data.overview['task'] as {
        proposal?: { outcome: 'approve' | 'reject'; by: string; reasonsForApplicant?: string };
      } | null;
      const proposal = live?.proposal;
      const outcome = proposal?.outcome ?? b['outcome'];
      if (outcome !== 'approve' && outcome !== 'reject')
        return again(req, reply, data, 422, {
          form: Object.fromEntries(Object.entries(b).filter(([k]) => k !== '_csrf')),
          error: { message: 'Bitte wählen Sie „Bewilligen“ oder „Ablehnen“, um den Entwurf zu sehen.' },
        });
      const bytes = await previewBescheidFor(d.db, data.caseId, {
        outcome,
        reasonsForApplicant: proposal ? proposal.reasonsForApplicant : field(b, 'reasonsForApplicant', 5000),
        caseWorker: proposal?.by ?? actor.id,
      });
      if (!bytes) throw caseNotFound();
      return pdf(reply, bytes, 'entwurf-bescheid.pdf');
    },
  );
}

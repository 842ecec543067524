import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/client.js';
import { findAkte, findAkteDocument, listAkteDocuments } from '../../db/queries/akte.js';
import { listCaseEvents } from '../../db/queries/case-events.js';
import { findObjection } from '../../db/queries/objections.js';
import { listColleagues } from '../../db/queries/staff-directory.js';
import { listTasksOfCase } from '../../db/queries/tasks.js';
import { findService } from '../../services/catalogue.js';
import type { ObjectionDecision } from '../../workflows/contracts/objection.js';
import type { StaffActor } from '../../workflows/contracts/task.js';
import { objectionStageRefusal } from '../objection-routes.js';
import { HttpProblem, workflowProblem } from '../problem.js';
import type { CaseFiles } from './case-file.js';
import { centsOf, type ObjectionPageData, objectionPage } from './lifecycle-views.js';
import { caseNotFound, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';

interface Deps {
  files: CaseFiles;
  db: Database;
  pages: WorkbenchPages;
}

type ObjectionForm = FastifyRequest<{ Params: { caseId: string }; Body: Record<string, string> }>;

const caseIdPattern = /^[0-9a-f-]{36}$/;
const OUTCOMES: Record<ObjectionDecision['stage'], readonly string[]> = {
  abhilfe: ['remedy', 'partial_remedy', 'no_remedy'],
  objection_authority: ['rejected', 'granted', 'partly_granted'],
};

/** The objection of a case the actor may see: her authority's, or one her authority decides as objection authority. */
async function objectionData(
  d: Deps,
  actor: StaffActor,
  caseId: string,
): Promise<Omit<ObjectionPageData, 'notice' | 'error' | 'form'> | undefined> {
  if (actor.role !== 'case_worker' && actor.role !== 'supervisor') return undefined;
  const row = caseIdPattern.test(caseId)
    ? await d.files.caseFor(actor, caseId, { asObjectionAuthority: true })
    : undefined;
  const objection = row && (await findObjection(d.db, { caseId }));
  if (!row || !objection) return undefined;
  const [akte, filed, documents, tasks, events, staff] = await Promise.all([
    findAkte(d.db, { caseId }),
    findAkteDocument(d.db, { documentId: `${caseId}:objection` }),
    listAkteDocuments(d.db, { caseId }),
    listTasksOfCase(d.db, { caseId }),
    listCaseEvents(d.db, { caseId }),
    listColleagues(d.db, { authorityId: actor.authorityId }),
  ]);
  const content = (filed?.content ?? {}) as {
    reasons?: string;
    attachments?: Array<{ fileName: string; sha256: string; size: number }>;
  };
  const issued = new Set([`${caseId}:abhilfebescheid`, `${caseId}:widerspruchsbescheid`]);
  const stage =
    objection.stage === 'abhilfe' || objection.stage === 'objection_authority' ? objection.stage : undefined;
  const service = findService(row.serviceKey);
  return {
    caseId,
    aktenzeichen: akte?.aktenzeichen ?? null,
    serviceName: service.name,
    objection,
    reasons: content.reasons ?? '',
    attachments: content.attachments ?? [],
    issued: documents
      .filter((doc) => issued.has(doc.documentId))
      .map((doc) => ({ title: doc.title, sha256: doc.sha256, createdAt: doc.createdAt.toISOString() })),
    tasks: tasks
      .filter((t) => t.kind === 'abhilfe' || t.kind === 'widerspruchsbescheid')
      .map((t) => ({
        kind: t.kind,
        state: t.state,
        dueAt: t.dueAt.toISOString(),
        assignee: t.assignee,
        reason: t.reason,
      })),
    timeline: events.map((e) => ({ type: e.type, data: e.data })),
    staff,
    ...(stage && !objectionStageRefusal(actor.authorityId, row, stage) && { decides: stage }),
    payout: service.fee.timing === 'payout',
    ownCase: row.authorityId === actor.authorityId,
  };
}

/**
 * The objection screen (`/workbench/cases/:caseId/objection`) and its decision form, which goes through the same
 * client and checks as `POST /cases/{caseId}/objection/decision`. The objection authority's staff, where that is
 * another authority, see this screen and decide its stage; the rest of the case stays its own authority's.
 */
export function objectionPageRoutes(app: FastifyInstance, d: Deps): void {
  const load = async (req: ObjectionForm) => {
    const data = await objectionData(d, actorOf(req.staff!), req.params.caseId);
    if (!data) throw caseNotFound();
    return data;
  };
  const show = (req: ObjectionForm, reply: FastifyReply, data: ObjectionPageData, status = 200) =>
    d.pages.send(reply, objectionPage(d.pages.context(req, reply), data), status);

  app.get<{ Params: { caseId: string }; Querystring: { done?: string } }>(
    '/workbench/cases/:caseId/objection',
    { ...d.pages.route, config: { ...d.pages.route.config, accessLog: { kind: 'page', what: 'objection' } } },
    async (req, reply) => {
      const data = await load(req as unknown as ObjectionForm);
      const notice = req.query.done === 'decided' ? 'Die Entscheidung ist gespeichert.' : undefined;
      return show(req as unknown as ObjectionForm, reply, { ...data, ...(notice && { notice }) });
    },
  );

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/objection/decision',
    { ...d.pages.route, preHandler: app.csrfProtection },
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const data = await load(req);
      const b = req.body ?? {};
      const form = {
        outcome: String(b['outcome'] ?? ''),
        reasons: String(b['reasons'] ?? ''),
        reinstatement: String(b['reinstatement'] ?? ''),
        payoutEuros: String(b['payoutEuros'] ?? ''),
      };
      const again = (error: string, status: number) => show(req, reply, { ...data, form, error }, status);
      const stage = b['stage'];
      if (!data.decides || stage !== data.decides)
        return again('Diese Entscheidung steht Ihnen im jetzigen Stand des Verfahrens nicht zu.', 409);
      if (!OUTCOMES[stage].includes(form.outcome)) return again('Bitte wählen Sie eine Entscheidung.', 422);
      const reasons = form.reasons
        .split(/\n\s*\n/)
        .map((r) => r.trim())
        .filter(Boolean);
      if (reasons.length === 0) return again('Bitte geben Sie die Gründe an.', 422);
      if (reasons.length > 20 || form.reasons.length > 20_000) return again('Die Gründe sind zu lang.', 422);
      const payoutCents = stage === 'abhilfe' && data.payout ? centsOf(form.payoutEuros) : undefined;
      if (Number.isNaN(payoutCents)) return again('Bitte geben Sie den Betrag in Euro an, z. B. 150,00.', 422);
      const decision = {
        stage,
        outcome: form.outcome,
        reasons,
        by: actor.id,
        ...(stage === 'abhilfe' &&
          (form.reinstatement === 'yes' || form.reinstatement === 'no') && {
            reinstatement: form.reinstatement === 'yes',
          }),
        ...(payoutCents !== undefined && { payoutCents }),
      } as ObjectionDecision;
      try {
        await d.files.objections.decide(data.caseId, decision);
      } catch (err) {
        // Refused by the workflow's validator (another decision came first, the stage moved on): said in German.
        const p = workflowProblem(err, 'Zu diesem Vorgang gibt es keinen Widerspruch.');
        if (p instanceof HttpProblem) return again(p.detail, p.status);
        throw err;
      }
      return reply.redirect(`/workbench/cases/${data.caseId}/objection?done=decided#notice`, 303);
    },
  );
}

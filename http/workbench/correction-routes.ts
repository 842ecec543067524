import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CorrectionClient, CorrectionRefusedError } from '../../client/correction-client.js';
import type { Database } from '../../db/client.js';
import type { CorrectionProposal } from '../../workflows/contracts/correction.js';
import type { CaseFiles } from './case-file.js';
import { caseData, type CaseData } from './case-page-routes.js';
import { caseNotFound, type WorkbenchPages } from './pages.js';
import { actorOf } from './session.js';
import { casePage, type CasePageData } from './views.js';

interface Deps {
  files: CaseFiles;
  db: Database;
  pages: WorkbenchPages;
  corrections: CorrectionClient;
}

type CaseForm = FastifyRequest<{ Params: { caseId: string }; Body: Record<string, string> }>;

/** Euro as a person types it ("1.234,50", "12"), in cents; undefined where empty, NaN where not an amount. */
const cents = (s: string | undefined): number | undefined => {
  const t = (s ?? '').trim().replace(/\./g, '').replace(',', '.');
  if (!t) return undefined;
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : Number.NaN;
};

/** Rücknahme and Widerruf from the case page: one person proposes, another confirms; the API's client does the work. */
export function correctionFormRoutes(app: FastifyInstance, d: Deps): void {
  const guarded = { ...d.pages.route, preHandler: app.csrfProtection };
  const again = (req: CaseForm, reply: FastifyReply, data: CaseData, status: number, more: Partial<CasePageData>) =>
    d.pages.send(reply, casePage(d.pages.context(req, reply), { ...data, ...more }), status);
  const own = async (req: CaseForm) => {
    const data = await caseData(d, actorOf(req.staff!), req.params.caseId);
    if (!data) throw caseNotFound();
    return data;
  };

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/correction',
    guarded,
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const data = await own(req);
      const b = req.body ?? {};
      const form = Object.fromEntries(
        ['kind', 'effect', 'reasons', 'knownSince', 'reclaim', 'refundFee'].map((k) => [k, String(b[k] ?? '')]),
      );
      const error = (message: string, status = 422) => again(req, reply, data, status, { form, error: { message } });
      const reclaimCents = cents(form['reclaim']);
      const refundFeeCents = cents(form['refundFee']);
      if (!['ruecknahme', 'widerruf'].includes(form['kind']!) || !['ex_nunc', 'ex_tunc'].includes(form['effect']!))
        return error('Bitte wählen Sie Art und Wirkung.');
      if (!form['reasons']!.trim()) return error('Bitte geben Sie die Gründe an.');
      if (Number.isNaN(reclaimCents) || Number.isNaN(refundFeeCents))
        return error('Bitte geben Sie Beträge in Euro an, z. B. 1.234,50.');
      if (form['knownSince'] && !/^\d{4}-\d{2}-\d{2}$/.test(form['knownSince']))
        return error('Bitte geben Sie den Tag der Kenntnis als Datum an.');
      const proposal: CorrectionProposal = {
        kind: form['kind'] as CorrectionProposal['kind'],
        effect: form['effect'] as CorrectionProposal['effect'],
        reasons: [form['reasons']!.trim().slice(0, 5000)],
        ...(reclaimCents && { reclaimCents }),
        ...(refundFeeCents && { refundFeeCents }),
        ...(form['knownSince'] && { knownSince: form['knownSince'] }),
      };
      try {
        await d.corrections.propose(data.caseId, proposal, actor);
      } catch (err) {
        if (err instanceof CorrectionRefusedError) return error(err.message, err.status);
        throw err;
      }
      return reply.redirect(`/workbench/cases/${data.caseId}?done=correction#notice`, 303);
    },
  );

  app.post<{ Params: { caseId: string }; Body: Record<string, string> }>(
    '/workbench/cases/:caseId/correction/confirmation',
    guarded,
    async (req, reply) => {
      const actor = actorOf(req.staff!);
      const data = await own(req);
      const b = req.body ?? {};
      const form = { note: String(b['note'] ?? '') };
      const note = form.note.trim().slice(0, 5000);
      try {
        await d.corrections.confirm(data.caseId, {
          by: actor.id,
          approve: b['approve'] === 'yes',
          ...(note && { note }),
        });
      } catch (err) {
        const e = err as Error & { cause?: Error };
        if (e.name !== 'WorkflowUpdateFailedError') throw err;
        return again(req, reply, data, 409, { form, error: { message: e.cause?.message ?? e.message } });
      }
      return reply.redirect(`/workbench/cases/${data.caseId}?done=correction_decided#notice`, 303);
    },
  );
}

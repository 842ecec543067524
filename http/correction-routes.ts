import type { FastifyPluginAsync } from 'fastify';
import type { CaseClient } from '../client/case-client.js';
import { CorrectionRefusedError } from '../client/correction-client.js';
import type { CorrectionProposal } from '../workflows/contracts/correction.js';
import { PRINTABLE_TEXT_PATTERN } from '../services/safe-text.js';
import { CASE_WORK } from './access.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { bearerSecurity, requireStaff } from './http-auth.js';
import { HttpProblem, workflowProblem } from './problem.js';

const text = { type: 'string', minLength: 1, maxLength: 20_000, pattern: PRINTABLE_TEXT_PATTERN } as const;

const correctionView = {
  type: 'object',
  required: ['caseId', 'kind', 'effect', 'stage'],
  properties: {
    caseId: { type: 'string' },
    kind: { type: 'string', enum: ['ruecknahme', 'widerruf'] },
    effect: { type: 'string', enum: ['ex_nunc', 'ex_tunc'] },
    stage: { type: 'string', enum: ['awaiting_confirmation', 'refused', 'issued'] },
    reclaimDueOn: { type: 'string', format: 'date', description: 'when a reclaimed amount is due (§ 49a VwVfG)' },
  },
} as const;

/** Correcting a decision (Rücknahme § 48, Widerruf § 49 VwVfG): one member of staff proposes, another confirms. */
export const correctionRoutes: FastifyPluginAsync<{ cases: CaseClient }> = async (app, { cases }) => {
  app.post<{ Params: { caseId: string }; Body: CorrectionProposal }>(
    '/cases/:caseId/correction',
    {
      config: { access: 'case:staff', roles: CASE_WORK },
      schema: {
        summary: 'Propose to withdraw (Rücknahme) or revoke (Widerruf) the decision, with reasons',
        description:
          '`ruecknahme` an unlawful decision (§ 48 VwVfG), `widerruf` a lawful one (§ 49 VwVfG); `ex_tunc` also for ' +
          'the past (a Widerruf only on a pay-out service, § 49 Abs. 3). `reclaimCents` (at most what was paid out, ' +
          'ex tunc only) is reclaimed by the Bescheid (§ 49a); `refundFeeCents` (at most the paid fee) refunded. A ' +
          'different member of staff confirms it (`/correction/confirmation`). Refused (409) before a Bescheid, for a ' +
          'withdrawn case, while another correction runs, after one was issued, and after the year from `knownSince` ' +
          '(§ 48 Abs. 4 VwVfG).',
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'effect', 'reasons'],
          properties: {
            kind: { type: 'string', enum: ['ruecknahme', 'widerruf'] },
            effect: { type: 'string', enum: ['ex_nunc', 'ex_tunc'] },
            reasons: { type: 'array', minItems: 1, maxItems: 20, items: text },
            reclaimCents: { type: 'integer', minimum: 1 },
            refundFeeCents: { type: 'integer', minimum: 1 },
            knownSince: { type: 'string', format: 'date', description: 'when the authority learned the facts' },
          },
        },
        response: { 201: correctionView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const actor = requireStaff(req);
      const input = await cases.corrections
        .propose(req.params.caseId, req.body, actor)
        .catch((err: unknown) =>
          Promise.reject(err instanceof CorrectionRefusedError ? new HttpProblem(err.status, err.message) : err),
        );
      return reply.status(201).send({
        caseId: input.caseId,
        kind: input.kind,
        effect: input.effect,
        stage: 'awaiting_confirmation',
        ...(input.reclaimDueOn && { reclaimDueOn: input.reclaimDueOn }),
      });
    },
  );

  app.post<{ Params: { caseId: string }; Body: { approve: boolean; note?: string } }>(
    '/cases/:caseId/correction/confirmation',
    {
      config: { access: 'case:staff', roles: CASE_WORK },
      schema: {
        summary: 'A second member of staff confirms or refuses the proposed correction (four eyes)',
        description:
          'Confirmed, the sealed Rücknahme- or Widerrufsbescheid replaces the Bescheid and goes to the applicant, and ' +
          'the reclaim or refund is made once. Refused (409) from the person who proposed it; a refusal needs a note.',
        security: bearerSecurity,
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['approve'],
          properties: { approve: { type: 'boolean' }, note: text },
        },
        response: {
          200: {
            type: 'object',
            required: ['caseId', 'stage'],
            properties: { caseId: { type: 'string' }, stage: { type: 'string' } },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const actor = requireStaff(req);
      const state = await cases.corrections
        .confirm(req.params.caseId, { ...req.body, by: actor.id })
        .catch((err: unknown) =>
          Promise.reject(
            workflowProblem(err, 'Zu diesem Vorgang ist keine Rücknahme und kein Widerruf vorgeschlagen.'),
          ),
        );
      return { caseId: state.caseId, stage: state.stage };
    },
  );
};

import { ALL_STAFF } from './access.js';
import type { FastifyPluginAsync } from 'fastify';
import type { CaseClient } from '../client/case-client.js';
import { problemResponses, caseParams } from './api-schemas.js';
import { bearerSecurity } from './http-auth.js';
import { timelineOf } from './timeline.js';
import { nextDeadlineOf } from '../services/case-deadlines.js';
import { berlinDate } from '../services/legal-time.js';

/** The applicant's view of a case: milestones in plain language and what the case is asking them for. */
export const milestoneRoutes: FastifyPluginAsync<{ cases: CaseClient }> = async (app, { cases }) => {
  app.get<{ Params: { caseId: string } }>(
    '/cases/:caseId/milestones',
    {
      // Milestones in plain language, ids and states only: every staff role of the authority.
      config: { access: 'case:party', roles: ALL_STAFF },
      schema: {
        summary: 'The case as plain-language milestones for the applicant, and the evidence it asks for',
        security: bearerSecurity,
        params: caseParams,
        response: { 200: { $ref: 'Milestones#' }, ...problemResponses(404) },
      },
    },
    async (req) => {
      const state = req.caseState!;
      const [b, objection, correction, deadlines] = await Promise.all([
        cases.bekanntgabe(state.caseId),
        cases.objections.find(state.caseId),
        cases.corrections.find(state.caseId),
        cases.caseDeadlines(state.caseId),
      ]);
      const next = nextDeadlineOf(deadlines, berlinDate(new Date()));
      return {
        caseId: state.caseId,
        status: state.status,
        outcome: state.outcome,
        milestones: timelineOf(state),
        requestedEvidence: state.requestedEvidence ?? [],
        ...(state.withdrawal && { withdrawal: state.withdrawal }),
        ...(state.hearing && { hearing: state.hearing }),
        // The period of an approval by fiction: its state and the day it ends (the next deadline the applicant sees).
        ...(state.fiction && {
          fiction: {
            state: state.fiction.state,
            startedOn: state.fiction.startedOn,
            endsOn: state.fiction.endsOn,
            legalBasis: state.fiction.legalBasis,
            extended: state.fiction.extension !== undefined,
          },
        }),
        ...(objection && {
          objection: {
            receivedAt: objection.receivedAt.toISOString(),
            late: objection.late,
            ...(objection.periodEndsOn && { periodEndsOn: objection.periodEndsOn }),
            ...(objection.reinstated !== null && { reinstated: objection.reinstated }),
            stage: objection.stage,
            ...(objection.abhilfe && { abhilfe: objection.abhilfe }),
            ...(objection.widerspruch && { widerspruch: objection.widerspruch }),
          },
        }),
        // A correction proposed but not yet confirmed is the authority's internal matter: the applicant sees it issued.
        ...(correction?.stage === 'issued' && {
          correction: {
            kind: correction.kind,
            effect: correction.effect,
            issuedAt: correction.updatedAt.toISOString(),
            ...(correction.reclaimCents && { reclaimCents: correction.reclaimCents }),
            ...(correction.refundFeeCents && { refundFeeCents: correction.refundFeeCents }),
          },
        }),
        ...(b && {
          bekanntgabe: {
            bekanntgabeOn: b.bekanntgabeOn,
            basis: b.basis,
            legalBasis: b.legalBasis,
            remedy: b.remedy,
            remedyPeriodEndsOn: b.remedyPeriodEndsOn,
            finalOn: b.finalOn,
          },
        }),
        ...(next && { nextDeadline: { kind: next.kind, date: next.on } }),
      };
    },
  );
};

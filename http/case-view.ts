import type { Principal } from '../platform/auth/tokens.js';
import type { CaseState } from '../workflows/contracts/case.js';

/**
 * What a caller sees of a case. Staff of the authority see the whole state; the applicant sees status, history, what
 * is asked of them and, once decided, the outcome with the rules' public reasons: no case-worker names, no task, no
 * justification, no escalation reason, no facts.
 */
export function caseViewFor(p: Principal, s: CaseState): object {
  if (p.role !== 'applicant') return s;
  const decision = s.outcome &&
    s.decision && {
      outcome: s.decision.outcome,
      ruleSetVersion: s.decision.ruleSetVersion,
      firedRules: s.decision.firedRules
        .filter((r) => r.outcome !== 'escalate')
        .map(({ ruleId, outcome, reason, legalBasis }) => ({ ruleId, outcome, reason, legalBasis })),
      ...(s.decision.payoutCents !== undefined && { payoutCents: s.decision.payoutCents }),
    };
  return {
    caseId: s.caseId,
    serviceKey: s.serviceKey,
    authorityId: s.authorityId,
    status: s.status,
    outcome: s.outcome,
    decision: decision || undefined,
    requestedEvidence: s.requestedEvidence,
    payment: s.payment,
    openQuestion: s.task?.openQuestion,
    applicantSubject: s.applicantSubject,
    history: s.history,
  };
}

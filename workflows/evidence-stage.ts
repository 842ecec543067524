import { condition, log } from '@temporalio/workflow';
import {
  applicationSourceOf,
  type EvidenceResult,
  type EvidenceStatus,
  type RequestedEvidence,
} from './contracts/case.js';
import type { EvidenceRequirement } from '../services/types.js';
import { acts, registers as registersWith } from './activity-proxies.js';
import type { CaseContext } from './case-journal.js';
import type { EvidenceRequests } from './evidence-requests.js';

/**
 * Each piece of evidence by its own activity, all in parallel. No consent, no call. A register that stays down
 * or errs past the retry budget is case data (`unavailable`), never a failed case.
 */
export async function fetchEvidence({ input, plan, deadlines }: CaseContext): Promise<EvidenceResult[]> {
  const registers = registersWith(deadlines);
  const consented = input.consent?.evidenceRetrieval === true;
  return Promise.all(
    plan.evidence.map(async (e): Promise<EvidenceResult> => {
      if (e.consentRequired && !consented) return missing(e, 'not_consented');
      try {
        return await registers.fetchEvidence({
          caseId: input.caseId,
          authorityId: input.authorityId,
          evidenceType: e.evidenceType,
          register: e.register,
          purpose: e.purpose,
          subject: input.identity.subject,
          ...applicationSourceOf(input),
          consentGiven: consented || !e.consentRequired,
        });
      } catch (err) {
        log.warn('register unavailable', { evidenceType: e.evidenceType, error: String(err) });
        return missing(e, 'unavailable');
      }
    }),
  );
}

const missing = (e: EvidenceRequirement, status: EvidenceStatus): EvidenceResult => ({
  evidenceType: e.evidenceType,
  register: e.register,
  status,
  facts: {},
});

// Plans recorded before services declared `ifMissing` keep the behaviour they started with: a case worker sees the gap.
const policyOf = (r: EvidenceRequirement): EvidenceRequirement['ifMissing'] => r.ifMissing ?? { ask: 'case_worker' };
const closesCase = (r: EvidenceRequirement): boolean => {
  const p = policyOf(r);
  return p.ask === 'applicant' && p.afterDeadline === 'close_incomplete';
};

export type AskOutcome = { evidence: EvidenceResult[] } | { incomplete: string[] };

/**
 * Evidence the registers could not give, and the service wants from the applicant, is asked for:
 * the event (every upload) or the deadline, with a reminder before it. After the deadline the service's
 * policy applies: decide on what is there, or close the case as incomplete.
 */
export async function askApplicantForMissing(
  c: CaseContext,
  requests: EvidenceRequests,
  evidence: EvidenceResult[],
): Promise<AskOutcome> {
  const wanted = c.plan.evidence.filter(
    (r) =>
      policyOf(r).ask === 'applicant' && evidence.find((e) => e.evidenceType === r.evidenceType)?.status !== 'found',
  );
  if (wanted.length === 0) return { evidence };

  const dueAt = new Date(Date.now() + c.deadlines.evidenceDeadlineMs).toISOString();
  const items: RequestedEvidence[] = wanted.map((r) => ({
    evidenceType: r.evidenceType,
    document: r.document,
    purpose: r.purpose,
    dueAt,
    status: 'requested',
  }));
  const closes = wanted.some(closesCase);
  const letter = {
    caseId: c.input.caseId,
    serviceKey: c.input.serviceKey,
    authorityId: c.input.authorityId,
    recipient: c.input.identity.subject,
    items,
    dueAt,
    consequence: closes
      ? 'Gehen die Unterlagen bis dahin nicht ein, wird Ihr Antrag ohne Entscheidung in der Sache abgeschlossen.'
      : 'Gehen die Unterlagen bis dahin nicht ein, entscheiden wir nach Aktenlage.',
  };
  requests.ask(items);
  await acts.sendEvidenceRequest({ kind: 'evidence_request', ...letter });
  await c.journal.enter('awaiting_applicant', 'evidence.requested_from_applicant', {
    evidence: wanted.map((r) => r.evidenceType),
    dueAt,
  });

  const reminderMs = Math.min(c.deadlines.evidenceReminderMs, c.deadlines.evidenceDeadlineMs);
  if (!(await condition(() => requests.complete, reminderMs))) {
    await acts.sendEvidenceRequest({
      kind: 'evidence_reminder',
      ...letter,
      items: items.filter((i) => i.status === 'requested'),
    });
    await c.journal.note('evidence.reminder_sent', {
      evidence: items.filter((i) => i.status === 'requested').map((i) => i.evidenceType),
      dueAt,
    });
    await c.journal.flush();
    const rest = c.deadlines.evidenceDeadlineMs - reminderMs;
    if (rest > 0) await condition(() => requests.complete, rest);
  }
  requests.close();
  await c.journal.note('evidence.request_closed', {
    received: [...requests.uploads.keys()],
    expired: items.filter((i) => i.status === 'expired').map((i) => i.evidenceType),
  });

  const absent = wanted.filter((r) => !requests.uploads.has(r.evidenceType));
  if (absent.some(closesCase)) {
    return {
      incomplete: absent.map(
        (r) => `${r.document} (${r.purpose}) ist bis zum ${dueAt.slice(0, 10)} nicht eingegangen.`,
      ),
    };
  }
  return {
    evidence: evidence.map((e) => {
      const u = requests.uploads.get(e.evidenceType);
      return u
        ? { evidenceType: e.evidenceType, register: e.register, status: 'uploaded', facts: {}, ref: u.document }
        : e;
    }),
  };
}

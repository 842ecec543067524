import type { CaseState, CaseStatus } from '../workflows/contracts/case.js';

export type MilestoneKey =
  | 'received'
  | 'evidence_requested'
  | 'payment_pending'
  | 'in_review'
  | 'decided'
  | 'delivered';

export interface Milestone {
  key: MilestoneKey;
  label: string;
  /** done, the one the case is at now, passed over (e.g. no fee), or still ahead. */
  state: 'done' | 'current' | 'skipped' | 'open';
  at?: string;
  /** What the applicant should know right now, for the current milestone. */
  note?: string;
}

const MILESTONES: Array<{ key: MilestoneKey; label: string; statuses: CaseStatus[] }> = [
  { key: 'received', label: 'Antrag eingegangen', statuses: ['received', 'validating', 'checking_identity'] },
  { key: 'evidence_requested', label: 'Nachweise angefordert', statuses: ['fetching_evidence', 'awaiting_applicant'] },
  { key: 'payment_pending', label: 'Gebühr wird erhoben', statuses: ['collecting_fee'] },
  { key: 'in_review', label: 'In Prüfung', statuses: ['deciding', 'awaiting_case_worker'] },
  { key: 'decided', label: 'Entschieden', statuses: ['issuing_bescheid', 'sealing', 'delivering'] },
  { key: 'delivered', label: 'Bescheid zugestellt', statuses: ['archiving', 'closed'] },
];

const notes: Partial<Record<CaseStatus, string>> = {
  fetching_evidence: 'Wir rufen Nachweise mit Ihrer Einwilligung direkt bei den Registern ab.',
  awaiting_applicant: 'Wir benötigen Unterlagen von Ihnen; Einzelheiten stehen in Ihrem Postfach.',
  collecting_fee: 'Die Gebühr wird gebucht.',
  awaiting_case_worker: 'Eine Sachbearbeiterin oder ein Sachbearbeiter prüft Ihren Antrag.',
};

const FICTION_NOTE =
  'Über Ihren Antrag wurde nicht fristgerecht entschieden; er gilt als genehmigt (§ 42a VwVfG). Die Bescheinigung ' +
  'darüber ist in Ihrem Postfach.';

/** The case's history as plain-language milestones for the applicant. */
export function timelineOf(state: Pick<CaseState, 'status' | 'history' | 'outcome'>): Milestone[] {
  // A withdrawn case closes without a Bescheid: its close is no delivery, and what it did not reach is skipped.
  const withdrawn = state.outcome === 'withdrawn';
  const reached = MILESTONES.map((m) =>
    withdrawn && m.key === 'delivered' ? undefined : state.history.find((h) => m.statuses.includes(h.status))?.at,
  );
  const last = reached.reduce<number>((acc, at, i) => (at ? i : acc), -1);
  return MILESTONES.map((m, i) => {
    const at = reached[i];
    if (!at) return { key: m.key, label: m.label, state: i < last || withdrawn ? 'skipped' : 'open' };
    if (withdrawn && i === last)
      return { key: m.key, label: m.label, state: 'done', at, note: 'Sie haben Ihren Antrag zurückgenommen.' };
    if (state.outcome === 'approved_by_fiction' && i === last)
      return { key: m.key, label: m.label, state: 'done', at, note: FICTION_NOTE };
    if (i === last && state.status !== 'closed')
      return { key: m.key, label: m.label, state: 'current', at, note: notes[state.status] };
    return { key: m.key, label: m.label, state: 'done', at };
  });
}

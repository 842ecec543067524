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
  { key: 'in_review', label: 'In Prüfung', statuses: ['deciding', 'awaiting_case_worker', 'hearing'] },
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
export function timelineOf(state: Pick<CaseState, 'status' | 'history' | 'outcome' | 'hearing'>): Milestone[] {
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
      return { key: m.key, label: m.label, state: 'current', at, note: noteOf(state) };
    return { key: m.key, label: m.label, state: 'done', at };
  });
}

const germanDay = (d: string): string => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

// The hearing's note names its deadline: the applicant's next step and until when.
const noteOf = (state: Pick<CaseState, 'status' | 'hearing'>): string | undefined =>
  state.status === 'hearing' && state.hearing?.statementDueOn
    ? state.hearing.statementReceivedAt
      ? 'Ihre Stellungnahme zur beabsichtigten Ablehnung liegt uns vor; danach entscheidet die Sachbearbeitung.'
      : 'Wir beabsichtigen, Ihren Antrag abzulehnen. Sie können bis zum ' +
        `${germanDay(state.hearing.statementDueOn)} Stellung nehmen; Einzelheiten stehen in Ihrem Postfach.`
    : notes[state.status];

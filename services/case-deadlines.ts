// The deadlines a case's timeline records, read generically: the workbench's „Fristen“ panel and the applicant's next
// deadline both read them here. Pure; a new kind of deadline adds its timeline entry type to DEADLINE_ENTRIES.

/** One deadline (or date that follows from one) a timeline entry records. */
export interface CaseDeadline {
  /** Stable code, e.g. `remedy_period`, `bestandskraft`. */
  kind: string;
  /** What the workbench shows, in German. */
  label: string;
  /** The day (YYYY-MM-DD, Europe/Berlin). */
  on: string;
  /** The day the period would have ended before it moved off weekends and holidays, and why it moved. */
  computedOn?: string;
  movedOver?: string[];
  legalBasis?: string;
  /** Whether the applicant acts by it (her next deadline) or it is only a date that follows (Bestandskraft). */
  forApplicant: boolean;
  /** Why it no longer runs (e.g. „Widerspruch eingelegt“), set by a later timeline entry. */
  settled?: string;
}

/** A timeline entry as the case's events hold it. */
export interface TimelineEntry {
  type: string;
  data: unknown;
}

type Data = Record<string, unknown>;
const str = (d: Data, k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);

/**
 * Timeline entry types that record deadlines, and how to read them from the entry's data. Extend it for a new
 * deadline (e.g. a hearing's statement period, approval by fiction): the panel and the applicant's view follow.
 */
export const DEADLINE_ENTRIES: Record<string, (d: Data) => CaseDeadline[]> = {
  'bekanntgabe.established': (d) => {
    const endsOn = str(d, 'remedyPeriodEndsOn');
    const finalOn = str(d, 'finalOn');
    const klage = d['remedy'] === 'klage';
    return [
      ...(endsOn
        ? [
            {
              kind: 'remedy_period',
              label: klage ? 'Ende der Klagefrist' : 'Ende der Widerspruchsfrist',
              on: endsOn,
              ...(str(d, 'remedyPeriodComputedOn') && { computedOn: str(d, 'remedyPeriodComputedOn') }),
              movedOver: Array.isArray(d['movedOver']) ? (d['movedOver'] as string[]) : [],
              legalBasis: klage ? '§ 74 Abs. 1 VwGO' : '§ 70 Abs. 1 VwGO',
              forApplicant: true,
            },
          ]
        : []),
      ...(finalOn ? [{ kind: 'bestandskraft', label: 'Bestandskraft', on: finalOn, forApplicant: false }] : []),
    ];
  },
  // § 28 VwVfG: the statement period of the hearing before a rejection.
  'hearing.letter_sent': (d) => {
    const on = str(d, 'statementDueOn');
    return on
      ? [
          {
            kind: 'hearing_statement',
            label: 'Frist zur Stellungnahme (Anhörung)',
            on,
            legalBasis: '§ 28 Abs. 1 VwVfG',
            forApplicant: true,
          },
        ]
      : [];
  },
  // § 42a VwVfG: the approval counts as granted once the period passed without a decision; extended once at most.
  'fiction.started': (d) => fictionDeadline(d, 'Ablauf der Entscheidungsfrist (Genehmigungsfiktion)'),
  'fiction.extended': (d) => fictionDeadline(d, 'Ablauf der verlängerten Entscheidungsfrist (Genehmigungsfiktion)'),
};

function fictionDeadline(d: Data, label: string): CaseDeadline[] {
  const on = str(d, 'endsOn');
  return on ? [{ kind: 'approval_fiction', label, on, legalBasis: '§ 42a Abs. 2 VwVfG', forApplicant: false }] : [];
}

/** Timeline entry types that end deadlines recorded before them, and what the panel says instead. */
export const DEADLINE_SETTLED_BY: Record<string, { kinds: string[]; note: string }> = {
  'objection.received': { kinds: ['remedy_period', 'bestandskraft'], note: 'Widerspruch eingelegt' },
  'hearing.statement_received': { kinds: ['hearing_statement'], note: 'Stellungnahme eingegangen' },
  'hearing.closed': { kinds: ['hearing_statement'], note: 'Anhörung abgeschlossen' },
  'fiction.occurred': { kinds: ['approval_fiction'], note: 'Genehmigung gilt als erteilt' },
  'case.resumed': { kinds: ['approval_fiction'], note: 'Vor Fristablauf entschieden' },
  'case.withdrawn': { kinds: ['approval_fiction', 'hearing_statement'], note: 'Antrag zurückgenommen' },
  'case.closed': { kinds: ['approval_fiction', 'hearing_statement'], note: 'Entschieden' },
};

/** The case's deadlines in timeline order; a later entry of the same kind replaces an earlier one. */
export function deadlinesOf(entries: readonly TimelineEntry[]): CaseDeadline[] {
  const byKind = new Map<string, CaseDeadline>();
  for (const e of entries) {
    const data = (e.data ?? {}) as Data;
    for (const d of DEADLINE_ENTRIES[e.type]?.(data) ?? []) byKind.set(d.kind, d);
    const settles = DEADLINE_SETTLED_BY[e.type];
    // The first entry that ends a deadline says why (a statement, then the hearing's close: the statement).
    for (const kind of settles?.kinds ?? []) {
      const d = byKind.get(kind);
      if (d && !d.settled) byKind.set(kind, { ...d, settled: settles!.note });
    }
  }
  return [...byKind.values()];
}

/** The applicant's next deadline: the earliest that still runs on `today` (YYYY-MM-DD), if any. */
export function nextDeadlineOf(deadlines: readonly CaseDeadline[], today: string): CaseDeadline | undefined {
  return deadlines
    .filter((d) => d.forApplicant && !d.settled && d.on >= today)
    .sort((a, b) => a.on.localeCompare(b.on))[0];
}

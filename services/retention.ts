import type { RetentionPolicy, ServiceDefinition } from './types.js';

/** A legal hold or an objection on a case, as far as retention needs to know it. */
export interface RetentionHold {
  kind: 'legal_hold' | 'objection';
  reason: string;
  placedAt: Date;
}

/** Where a case stands with its retention: what the file shows, what the retention job and Art. 17 requests act on. */
export interface CaseRetention {
  retentionYears: number;
  runsFrom: RetentionPolicy['runsFrom'];
  disposal: RetentionPolicy['disposal'];
  /** The day the period started; null while the case runs. */
  startsAt: Date | null;
  /** The day the case's personal data may go; null while the case runs. */
  until: Date | null;
  /** Whether `startsAt` is an assumption (closure plus the objection period, no final date known yet). */
  provisional: boolean;
  /** Holds in force: while any is, nothing of the case is erased, whatever `until` says. */
  holds: RetentionHold[];
  /** Whether the retention job may erase the case at `asOf`. */
  erasable: boolean;
  /** One German sentence for the file and for an applicant's Art. 17 answer. */
  explanation: string;
}

const DEFAULT_POLICY: RetentionPolicy = { runsFrom: 'closure', disposal: 'erase' };
export const DEFAULT_OBJECTION_DAYS = 30;

export const retentionPolicyOf = (s: Pick<ServiceDefinition, 'retention'>): RetentionPolicy =>
  s.retention ?? DEFAULT_POLICY;

const plusDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);
const plusYears = (d: Date, years: number) => {
  const out = new Date(d);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
};
const day = (d: Date) => d.toISOString().slice(0, 10);

const runsFromText: Record<RetentionPolicy['runsFrom'], string> = {
  closure: 'Abschluss des Verfahrens',
  bestandskraft: 'Bestandskraft der Entscheidung',
  last_payment: 'letzter Zahlung',
};

/**
 * The retention of one case: its service's period from the declared event, and the holds that stop erasure. Pure, so
 * the case file, the retention job and an Art. 17 request compute the same date.
 */
export function retentionOf(
  service: Pick<ServiceDefinition, 'retentionYears' | 'retention' | 'legalBasis'>,
  c: { closedAt: Date | null; lastPaymentAt?: Date | null; finalAt?: Date | null; holds?: RetentionHold[] },
  asOf = new Date(),
): CaseRetention {
  const policy = retentionPolicyOf(service);
  const holds = c.holds ?? [];
  let startsAt: Date | null = null;
  let provisional = false;
  if (c.closedAt) {
    if (policy.runsFrom === 'closure') startsAt = c.closedAt;
    else if (policy.runsFrom === 'bestandskraft') {
      startsAt = c.finalAt ?? plusDays(c.closedAt, policy.objectionPeriodDays ?? DEFAULT_OBJECTION_DAYS);
      provisional = !c.finalAt;
    } else startsAt = c.lastPaymentAt && c.lastPaymentAt > c.closedAt ? c.lastPaymentAt : c.closedAt;
  }
  const until = startsAt && plusYears(startsAt, service.retentionYears);
  const base = {
    retentionYears: service.retentionYears,
    runsFrom: policy.runsFrom,
    disposal: policy.disposal,
    startsAt,
    until,
    provisional,
    holds,
  };
  if (holds.length) {
    const what = holds.map((h) => (h.kind === 'objection' ? 'Widerspruch' : 'Sperre (Legal Hold)')).join(', ');
    return { ...base, erasable: false, explanation: `Aufbewahrt, solange ${what} besteht; keine Löschung.` };
  }
  if (!until) return { ...base, erasable: false, explanation: 'Das Verfahren läuft noch; die Frist beginnt später.' };
  const then = policy.disposal === 'erase' ? 'danach gelöscht' : 'danach dem Archiv angeboten und hier gelöscht';
  return {
    ...base,
    erasable: until <= asOf,
    explanation:
      `Aufbewahrt bis ${day(until)}: ${service.retentionYears} Jahre ab ${runsFromText[policy.runsFrom]}` +
      `${provisional ? ' (angenommen: Abschluss plus Widerspruchsfrist)' : ''} nach ${service.legalBasis}; ${then}.`,
  };
}

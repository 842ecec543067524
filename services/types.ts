import type { CaseDeadlines, EvidenceResult, FeeTiming, TrustLevel } from '../workflows/contracts/case.js';

export interface EvidenceRequirement {
  evidenceType: string;
  /** The register that can provide it (once-only). */
  register: string;
  /** Why the authority needs it; shown in the applicant's transparency log and requests. */
  purpose: string;
  /** Whether the applicant may upload it instead of the engine fetching it. */
  uploadAllowed: boolean;
  /** The document an applicant would otherwise bring, in plain language. */
  document: string;
  /** Whether the register may only be asked with the applicant's consent. */
  consentRequired: boolean;
  /** What happens when the register cannot deliver: ask the applicant (and what after the deadline), or leave it to a case worker. */
  ifMissing: { ask: 'applicant'; afterDeadline: 'decide' | 'close_incomplete' } | { ask: 'case_worker' };
}

/** What one authority lays over the shared definition ("Einer für Alle"): no forked workflow code. */
export interface AuthoritySettings {
  name: string;
  feeAccount: string;
  contact: string;
  /** Key under which this authority seals its Bescheide. */
  sealIdentity: string;
  /** Postal codes of the municipality, for the plausibility rules. */
  postalCodes: string[];
  /** Postal address printed on the Bescheid and named in its Rechtsbehelfsbelehrung. */
  postalAddress?: string;
  /** ARS (Amtlicher Regionalschlüssel) areas the authority serves, 2 to 12 digits; routing matches by prefix. */
  arsAreas?: string[];
  /** Aktenzeichen prefix in the authority's file plan, e.g. `32.14-BPA`; the Bescheid's file number starts with it. */
  fileReferencePrefix?: string;
  /** How this authority numbers its files (overrides the service's): placeholders {prefix} {year} {service} {number:N}. */
  aktenzeichenPattern?: string;
  deadlines?: Partial<CaseDeadlines>;
  /**
   * The Land the authority sits in: its public holidays end no period (§ 193 BGB, § 31 Abs. 3 VwVfG). Without it the
   * engine computes no legal deadlines for the authority's cases.
   */
  land?: Land;
  /** Overrides the service's escalation policy for this authority. */
  escalation?: Partial<EscalationPolicy>;
  /**
   * The case worker who decided signs the Bescheid off by name („Im Auftrag“, her display name from the staff
   * directory), where the authority's practice wants it; otherwise the authority alone. Never a login id; automated
   * decisions and staff the directory does not know are signed by the authority.
   */
  signBescheidByName?: boolean;
}

/** The Länder by their ISO 3166-2:DE codes, as `date-holidays` names their holiday calendars. */
export const LAENDER = [
  'BW',
  'BY',
  'BE',
  'BB',
  'HB',
  'HH',
  'HE',
  'MV',
  'NI',
  'NW',
  'RP',
  'SL',
  'SN',
  'ST',
  'SH',
  'TH',
] as const;
export type Land = (typeof LAENDER)[number];

/** A legal period (Frist) as the statute names it; computed by services/legal-time.ts (§§ 187, 188 BGB). */
export interface Period {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
}

/**
 * What happens after the decision, as the service's law says: how a Bekanntgabe is established per channel, and the
 * remedy against the decision. Data per service (Länder differ), read by the engine; no period is a constant in code.
 */
export interface LegalLifecycle {
  bekanntgabe: {
    /** § 41 Abs. 2a VwVfG: retrieval from the applicant's postbox. */
    postbox: {
      /** The decision counts as announced this many days after the day of retrieval (the law: 1, "am Tag nach dem Abruf"). */
      announcedDaysAfterRetrieval: number;
      /** Not retrieved within this many days after the notification, the provision ends (the law: 10). */
      retrievalWindowDays: number;
      /**
       * What the engine does when the provision ended unretrieved (§ 41 Abs. 2a Satz 5 VwVfG leaves both open): a task
       * to deliver another way, or first provide the Bescheid in the postbox again (`repeatProvisions` times, default
       * once), each with a notification and a window of its own, and the task only after the last.
       */
      ifNotRetrieved: 'manual_delivery' | 'repeat_provision';
      repeatProvisions?: number;
    };
    /** § 41 Abs. 2 Satz 1 VwVfG: posted letters count as announced `days` after posting, by the rule in force from `from`. */
    postFiction: Array<{ from: string; days: number }>;
    /** § 41 Abs. 2 Satz 2 VwVfG: other electronic transmission, likewise. */
    electronicFiction: Array<{ from: string; days: number }>;
  };
  objection: {
    /** `abolished`: Land law dispensed with the objection procedure (§ 68 Abs. 1 Satz 2 VwGO); the remedy is the action. */
    procedure: 'widerspruch' | 'abolished';
    /** § 70 Abs. 1 VwGO (objection) or § 74 Abs. 1 VwGO (action): one month after Bekanntgabe. */
    period: Period;
    /** § 58 Abs. 2 VwGO: one year where the Rechtsbehelfsbelehrung was missing or wrong. */
    periodWithoutInstruction: Period;
    /**
     * Who decides an objection the deciding authority does not remedy (§ 73 Abs. 1 VwGO): its name on the
     * Widerspruchsbescheid and the staff group that gets the task, `<authority>:<group>` (the deciding authority's id
     * unless `authorityId` names another). Absent: the deciding authority itself, group `widerspruchsstelle`.
     */
    authority?: { name?: string; authorityId?: string; group: string };
    /** The administrative court the action after a Widerspruchsbescheid goes to (§ 74 VwGO), with its address. */
    court?: string;
  };
  /**
   * Correcting a decision (Rücknahme § 48, Widerruf § 49 VwVfG): its periods (`FEDERAL_CORRECTION` for the federal
   * law). Absent: the engine takes no correction for the service.
   */
  correction?: {
    /** § 48 Abs. 4 VwVfG (also § 49 Abs. 2 Satz 2, Abs. 3 Satz 2): the period from the authority's knowledge of the facts. */
    periodFromKnowledge: Period;
    /** The time the Bescheid gives to pay back a reclaimed amount (§ 49a Abs. 1 Satz 2 VwVfG), from its issue. */
    reclaimDue: Period;
  };
  /** § 28 VwVfG: the applicant is heard before an adverse decision; absent, no hearing (as before). */
  hearing?: HearingPolicy;
  /**
   * Approval by fiction (§ 42a VwVfG), only where the service's own law (Fachrecht) orders it: the period from the
   * complete application (three months unless that law sets another), extendable once by at most `extension.max`.
   */
  fiction?: FictionDeclaration;
}

/**
 * The hearing before a rejection (Anhörung, § 28 Abs. 1 VwVfG): a letter with the intended decision, its reasons and a
 * deadline for a statement; then a case worker decides, seeing the statement.
 */
export interface HearingPolicy {
  /** A rejection, by the rules or by a case worker, first hears the applicant. */
  beforeRejection: boolean;
  /** How long the applicant has for a statement, from the day the letter is sent (moved off weekends and holidays). */
  statementPeriod: Period;
  /**
   * Rules whose automated rejection needs no hearing, each with its legal reason (§ 28 Abs. 2 VwVfG), which the
   * journal and the Bescheid state. A case worker's rejection is always heard.
   */
  exceptions?: Array<{ ruleId: string; why: string }>;
}

export interface FictionDeclaration {
  /** § 42a Abs. 2 Satz 1 VwVfG: three months unless the Fachrecht sets another period. */
  period: Period;
  /** The provision of the Fachrecht that orders the fiction, printed on the certificate. */
  legalBasis: string;
  /** § 42a Abs. 2 Satz 3 VwVfG: once, appropriately, where the difficulty of the matter justifies it. */
  extension: { max: Period };
}

/** How escalated cases are worked. */
export interface EscalationPolicy {
  /** A second, different case worker confirms every decision. */
  fourEyes: boolean;
  /** The group (within the authority) that decides escalated cases: the `review_decision` task's candidate group. */
  candidateGroup: string;
  /**
   * The groups of the service's other task kinds, e.g. `{ deliver_manually: 'poststelle' }`; a kind not named goes to
   * its default (`deliver_manually`: `poststelle`, any other: `sachbearbeitung`).
   */
  taskGroups?: Partial<Record<string, string>>;
}

/** What the service issues besides the Bescheid, and where its data goes. */
export interface ServiceOutputs {
  documents: string[];
  forwardingRecipients: string[];
}

/** Facts the intake rules read: the application plus what the authority knows about itself. */
export interface IntakeContext {
  application: Record<string, unknown>;
  authority: AuthoritySettings;
  /** Date of submission (YYYY-MM-DD), so date rules stay deterministic. */
  submittedOn: string;
}

/** A service (Leistung) as a Fachverfahren team declares it: data the engine reads, not code it forks. */
export interface ServiceDefinition {
  /** The 14-digit LeiKa key (routing accepts `99…`); as a URN: `urn:de:fim:leika:leistung:<key>`. */
  key: string;
  name: string;
  /** Words people use for it (for the service finder), e.g. "Anwohnerparkausweis". */
  synonyms?: string[];
  /** One or two plain sentences on what the service is for (for the service finder). */
  description?: string;
  legalBasis: string;
  minimumTrustLevel: TrustLevel;
  /** Whether someone may apply for another person or a company, with a mandate. */
  representationAllowed: boolean;
  /** JSON Schema (draft 2020-12) of the application data, by version. */
  schemas: Record<string, object>;
  currentSchemaVersion: string;
  /** Every evidence the service may need; the rules say which a case needs. */
  evidence: EvidenceRequirement[];
  /** When money moves; the amount comes from the rules. */
  fee: FeePolicy;
  /** Rule set directory under rules/ and its released versions, each valid from a date. */
  ruleSet: { id: string; versions: Array<{ version: string; validFrom: string }> };
  escalation: EscalationPolicy;
  outputs: ServiceOutputs;
  authorities: Record<string, AuthoritySettings>;
  /** How the authorities number this service's files unless they declare their own; see services/aktenzeichen.ts. */
  aktenzeichenPattern?: string;
  /** How long the archive keeps a closed case (Aufbewahrungsfrist), recorded in its archive package. */
  retentionYears: number;
  /** Bekanntgabe and remedy periods after the decision; without it the engine records delivery only. */
  lifecycle?: LegalLifecycle;
  /** The event the period runs from and what happens at its end; from closure, then erase, when absent. */
  retention?: RetentionPolicy;
  /** Rechtsbehelfsbelehrung printed on every Bescheid. */
  legalRemedy: string;
  /** The certificate an approval comes with (e.g. the permit itself), printed as a page of the sealed Bescheid. */
  certificate?: {
    title: string;
    validYears: number;
    /** Label and value pairs from the application. Must be pure. */
    fields(application: Record<string, unknown>): Array<[label: string, value: string]>;
  };
  /** The service's own text blocks for letters to the applicant (workbench templates); the defaults fill the rest. */
  letterTemplates?: Partial<
    Record<'document_request' | 'free' | 'hearing', Partial<{ label: string; subject: string; blocks: string[] }>>
  >;
  /** Facts for the intake rules (plausibility, fee, required evidence). Must be pure. */
  intakeFacts(c: IntakeContext): Record<string, unknown>;
  /** Turns the application and the evidence into the facts the decision rules read. Must be pure. */
  decisionFacts(application: Record<string, unknown>, evidence: EvidenceResult[]): Record<string, unknown>;
  /** Extra steps at named points of the case, each backed by an activity the team registers as an extension. */
  steps?: ServiceStep[];
}

/**
 * When a case's retention period (`retentionYears`) starts and what follows it (services/retention.ts computes the date):
 * - `closure`: the day the case closed;
 * - `bestandskraft`: the day the decision became final; until the engine knows that day, closure plus the objection
 *   period (`objectionPeriodDays`, one month by default: § 70 VwGO);
 * - `last_payment`: the last fee, refund or pay-out settled (closure when none).
 * `disposal`: `erase` (personal data and documents go; outcome, decision, seal record and archive package stay) or
 * `offer_to_archive` (the same, and the erasure record names the archive package offered to the archive).
 */
export interface RetentionPolicy {
  runsFrom: 'closure' | 'bestandskraft' | 'last_payment';
  disposal: 'erase' | 'offer_to_archive';
  objectionPeriodDays?: number;
}

/** Where a service's own step runs in the case. */
export type StepPoint = 'after_evidence' | 'after_decision';

/** A step the team adds to its service: runs `activity` at `at`; what it returns after evidence, the rules read as evidence `name`. */
export interface ServiceStep {
  name: string;
  at: StepPoint;
  activity: string;
}

/** Amounts in integer cents. `payout` pays the amount to the IBAN in the application field `payeeIbanField`. */
export interface FeePolicy {
  timing: FeeTiming;
  /** When a fee paid in advance is paid back. */
  refundOn?: Array<'rejected' | 'withdrawn'>;
  payeeIbanField?: string;
}

/** What the workflow needs to know about its service; resolved once by an activity and kept in history. */
export interface CasePlan {
  minimumTrustLevel: TrustLevel;
  evidence: EvidenceRequirement[];
  feeTiming: FeeTiming;
  /** Fee computed by the pinned rule set from the application; 0 when none. */
  feeCents: number;
  /** The fee rules that fired, so the amount is explained in the history. */
  feeRules: Array<{ ruleId: string; amountCents: number; legalBasis: string }>;
  sealIdentity: string;
  deadlines: Partial<CaseDeadlines>;
  fourEyes: boolean;
  /**
   * The decision task's candidate group (`<authority>:<group>`), as the service (or the authority's overlay) declares
   * it; absent in plans recorded before services' groups were read (their tasks go to `<authority>:sachbearbeitung`).
   */
  candidateGroup?: string;
  refundOnRejection?: boolean;
  /** A fee paid in advance is paid back when the applicant withdraws (absent in plans recorded before withdrawal). */
  refundOnWithdrawal?: boolean;
  /** The service's own steps; absent in plans recorded before services could declare them. */
  steps?: ServiceStep[];
  /** Approval by fiction (§ 42a VwVfG) as the service declares it; absent in plans recorded before it. */
  fiction?: FictionDeclaration;
}

// Types of the Bekanntgabe workflow, shared by workflow, activities and views. Imports nothing heavy.

/** What the Bekanntgabe workflow starts from: the delivered Bescheid and how long a legal day lasts for its timers. */
export interface BekanntgabeInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** The postbox's receipt of the Bescheid. */
  deliveryId: string;
  channel: string;
  /** When the postbox accepted the Bescheid (and notified the applicant). */
  deliveredAt: string;
  legalDayMs: number;
}

/** How the engine establishes the Bekanntgabe for a case, as its service and postbox allow. */
export type BekanntgabePlan =
  /** The service declares no legal lifecycle, or its authority no Land: nothing to compute. */
  | { kind: 'none'; why: string }
  /** § 41 Abs. 2 Satz 2 VwVfG: the postbox cannot report retrieval; the fiction counts from sending. */
  | { kind: 'fiction' }
  /** § 41 Abs. 2a VwVfG: wait for the retrieval, at most `windowDays` legal days after the notification. */
  | {
      kind: 'retrieval';
      windowDays: number;
      notifiedOn: string;
      windowLastDay: string;
      /** Unretrieved, provided again this many times before the task (plans recorded before it: none). */
      provideAgain?: number;
    };

/** What the postbox reports of one delivery's retrieval, by calendar day (Europe/Berlin). */
export interface RetrievalCheck {
  notifiedOn: string;
  retrievedOn?: string;
}

/** The Bekanntgabe as recorded in the Akte, with the deadlines computed from it. */
export interface BekanntgabeRecord {
  caseId: string;
  bekanntgabeOn: string;
  basis: 'postbox_retrieval' | 'postal_fiction' | 'electronic_fiction' | 'manual_delivery';
  /** The day the rule counts from: retrieval, posting, sending or handing over. */
  eventOn: string;
  /** The law text the day follows, e.g. "§ 41 Abs. 2a Satz 3 VwVfG". */
  legalBasis: string;
  remedy: 'widerspruch' | 'klage';
  remedyPeriodEndsOn: string;
  remedyPeriodComputedOn: string;
  movedOver: string[];
  finalOn: string;
  land: string;
}

/** How the Bekanntgabe workflow ended. */
export type BekanntgabeResult =
  | { status: 'announced'; record: BekanntgabeRecord }
  | { status: 'not_retrieved'; taskId: string }
  | { status: 'not_computed'; why: string };

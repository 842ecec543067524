import { CancellationScope, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { CaseDeadlines, CaseInput, CaseOutcome, CaseState, CaseStatus, Decision } from './contracts/case.js';
import { CaseOutcomeKey, CaseStatusKey } from './contracts/search-attributes.js';
import type { JournalEntry } from '../activities/case-record.js';
import type { CasePlan } from '../services/types.js';
import { local } from './activity-proxies.js';
import { has, type CaseShape } from './case-shape.js';
import { OUTBOUND_PATCH, onStageEntered } from './outbound-messages.js';
import type { CaseProgress } from './case-progress.js';

/** What a stage record may carry into the case row besides its status. */
export interface RecordExtra {
  outcome?: CaseOutcome;
  decision?: Decision;
  bescheidSha256?: string;
  /** The case's state as it closed, kept with its Akte (cases with an Akte only). */
  finalState?: CaseState;
}

/** How a case's stages reach its record: enter a stage, note an event, make it visible before the case waits. */
export interface CaseRecorder {
  enter(status: CaseStatus, event: string, data?: Record<string, unknown>, extra?: RecordExtra): Promise<void>;
  note(event: string, data?: Record<string, unknown>): Promise<void>;
  /** Everything noted so far is in the database and the search attributes before the case waits or reads its own log. */
  flush(): Promise<void>;
}

/** The one context the stage helpers share. */
export interface CaseContext {
  input: CaseInput;
  deadlines: CaseDeadlines;
  plan: CasePlan;
  progress: CaseProgress;
  journal: CaseRecorder;
  shape: CaseShape;
}

/** What every stage has, before intake has planned the case. */
export type CaseBasics = Omit<CaseContext, 'plan'>;

export const caseRef = (i: CaseInput) => ({
  caseId: i.caseId,
  applicantSubject: i.identity.subject,
  serviceKey: i.serviceKey,
  authorityId: i.authorityId,
  ruleSetVersion: i.ruleSetVersion,
  submittedAt: i.submittedAt,
});

// The statuses an operator filters on: a case waits there, or has ended. Moves between working stages stay out of visibility.
const WAITING: ReadonlySet<CaseStatus> = new Set([
  'awaiting_applicant',
  'awaiting_case_worker',
  'collecting_fee',
  'closed',
  'hearing',
]);
// Entering these means waiting (or the end) for sure; a fee paid at once never waits, so its stage flushes only if it does.
const WAITS_ON_ENTRY: ReadonlySet<CaseStatus> = new Set([
  'awaiting_applicant',
  'awaiting_case_worker',
  'closed',
  'hearing',
]);

/** What the Temporal Web UI shows as a case's current details: its stage in words, never applicant data. */
const STAGE_DETAILS: Record<CaseStatus, string> = {
  received: 'Antrag eingegangen',
  validating: 'Antrag wird geprüft',
  checking_identity: 'Identität wird geprüft',
  fetching_evidence: 'Nachweise werden bei den Registern abgerufen',
  awaiting_applicant: 'Wartet auf Unterlagen oder eine Antwort der antragstellenden Person',
  collecting_fee: 'Wartet auf die Zahlung der Gebühr',
  deciding: 'Entscheidung nach Regelwerk',
  awaiting_case_worker: 'Wartet auf die Sachbearbeitung',
  paying_out: 'Auszahlung läuft',
  issuing_bescheid: 'Bescheid wird erstellt',
  sealing: 'Bescheid wird gesiegelt',
  delivering: 'Bescheid wird zugestellt',
  archiving: 'Akte wird archiviert',
  closed: 'Abgeschlossen',
  hearing: 'Anhörung: wartet auf die Stellungnahme der antragstellenden Person',
};

/**
 * The case journal: stage moves and events are kept in memory and written in one local activity when the case is
 * about to wait, to read its own log, or to close. The `CaseStatus` search attribute follows at the same moments,
 * so an automated stretch of stages costs no history events of its own.
 */
export class CaseJournal implements CaseRecorder {
  private pending: JournalEntry[] = [];
  private extra: RecordExtra = {};
  private visible: CaseStatus = 'received';
  private writing?: Promise<void>;

  constructor(
    private readonly input: CaseInput,
    private readonly progress: CaseProgress,
    private readonly shape: CaseShape,
  ) {}

  async enter(status: CaseStatus, event: string, data?: Record<string, unknown>, extra?: RecordExtra): Promise<void> {
    const at = new Date();
    const seq = this.progress.enter(status, at);
    // Metadata for the Web UI, not a command: running cases replay unchanged.
    setCurrentDetails(`**${STAGE_DETAILS[status]}** (${status}) seit ${at.toISOString()}`);
    this.pending.push({ seq, status, event, data, at: at.toISOString() });
    this.extra = { ...this.extra, ...extra };
    // What the views show of a closed case comes from its Akte, not from a history that retention deletes.
    if (status === 'closed' && this.input.antrag) this.extra.finalState = this.progress.state;
    if (WAITS_ON_ENTRY.has(status)) await this.flush();
    if (has(this.shape, OUTBOUND_PATCH))
      await onStageEntered(this.input, this.progress.state, status, data, this.shape.leanOutbound);
  }

  async note(event: string, data?: Record<string, unknown>): Promise<void> {
    this.pending.push({
      seq: this.progress.nextSeq(),
      status: this.progress.state.status,
      event,
      data,
      at: new Date().toISOString(),
    });
  }

  async flush(): Promise<void> {
    const status = this.progress.state.status;
    if (status !== this.visible && (WAITING.has(status) || WAITING.has(this.visible))) {
      upsertSearchAttributes([
        { key: CaseStatusKey, value: status },
        ...(this.progress.state.outcome ? [{ key: CaseOutcomeKey, value: this.progress.state.outcome }] : []),
      ]);
      this.visible = status;
    }
    if (this.pending.length === 0) return;
    const entries = this.pending;
    const extra = this.extra;
    this.pending = [];
    this.extra = {};
    // Uncancellable: a withdrawal cancels the case's waits, never a write of its record half-way.
    const write = () =>
      CancellationScope.nonCancellable(() => local.recordJournal({ ...caseRef(this.input), entries, ...extra }));
    // Writes go in order, each after the one before, so the hash chain of the log links every entry to its predecessor.
    const done: Promise<void> = this.writing ? this.writing.then(write) : write();
    // Settles either way, so a failed write fails only its own caller and never the next write's turn.
    const clear = () => void (this.writing === tracked && (this.writing = undefined));
    const tracked: Promise<void> = done.then(clear, clear);
    this.writing = tracked;
    await done;
  }
}

/**
 * The record as cases started before the journal keep writing it: every stage an upserted search attribute and a
 * local activity, every event its own local activity. Their histories replay against exactly these commands.
 */
export class StageRecorder implements CaseRecorder {
  constructor(
    private readonly input: CaseInput,
    private readonly progress: CaseProgress,
  ) {}

  async enter(status: CaseStatus, event: string, data?: Record<string, unknown>, extra?: RecordExtra): Promise<void> {
    const seq = this.progress.enter(status, new Date());
    upsertSearchAttributes([{ key: CaseStatusKey, value: status }]);
    await local.recordStage({ ...caseRef(this.input), seq, status, event, data, ...extra });
  }

  async note(event: string, data?: Record<string, unknown>): Promise<void> {
    await local.recordStage({
      ...caseRef(this.input),
      seq: this.progress.nextSeq(),
      status: this.progress.state.status,
      event,
      data,
    });
  }

  async flush(): Promise<void> {}
}

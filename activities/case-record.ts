import type { CaseOutcome, CaseState, CaseStatus, Decision } from '../workflows/contracts/case.js';
import { recordFinalState } from '../db/queries/akte.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { appendCaseEvent, appendCaseEvents } from '../db/queries/case-events.js';
import { upsertCase } from '../db/queries/cases.js';
import type { ActivityDeps } from './deps.js';

export interface RecordStageInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  applicantSubject: string;
  ruleSetVersion: string;
  submittedAt: string;
  seq: number;
  status: CaseStatus;
  event: string;
  data?: Record<string, unknown>;
  outcome?: CaseOutcome;
  decision?: Decision;
  bescheidSha256?: string;
}

/** One stage move or event of a case, numbered by the workflow. */
export interface JournalEntry {
  seq: number;
  status: CaseStatus;
  event: string;
  data?: Record<string, unknown>;
  /** Workflow time of the entry (ISO): the journal is written later, in one batch. */
  at: string;
}

export interface RecordJournalInput extends Omit<RecordStageInput, 'seq' | 'status' | 'event' | 'data'> {
  entries: JournalEntry[];
  /** The state the case closed with, for its Akte (cases with an Akte, at the close). */
  finalState?: CaseState;
}

/** The case row as of a stage: only a write with a newer `seq` changes it. */
const caseRow = (i: Omit<RecordStageInput, 'seq' | 'status' | 'event' | 'data'>, seq: number, status: CaseStatus) => ({
  caseId: i.caseId,
  workflowId: caseWorkflowId(i.caseId),
  serviceKey: i.serviceKey,
  authorityId: i.authorityId,
  applicantSubject: i.applicantSubject,
  ruleSetVersion: i.ruleSetVersion,
  submittedAt: new Date(i.submittedAt),
  seq,
  status,
  outcome: i.outcome,
  decision: i.decision,
  bescheidSha256: i.bescheidSha256,
});

/** Mirrors a stage transition into PostgreSQL: the case row and one event, both safe to repeat. */
export function createCaseRecordActivities({ db }: ActivityDeps) {
  return {
    async recordStage(i: RecordStageInput): Promise<void> {
      await db.transaction(async (tx) => {
        await upsertCase(tx, caseRow(i, i.seq, i.status));
        await appendCaseEvent(tx, { caseId: i.caseId, seq: i.seq, type: i.event, status: i.status, data: i.data });
      });
    },

    /** Writes the journal's entries since its last write in one transaction: the case row at the latest status, then each event in order. */
    async recordJournal(i: RecordJournalInput): Promise<void> {
      const last = i.entries.at(-1);
      if (!last) return;
      const { finalState, ...journal } = i;
      await db.transaction(async (tx) => {
        await upsertCase(tx, caseRow(journal, last.seq, last.status));
        if (finalState) await recordFinalState(tx, { caseId: i.caseId, state: finalState });
        await appendCaseEvents(
          tx,
          i.caseId,
          i.entries.map((e) => ({ seq: e.seq, type: e.event, status: e.status, data: e.data, at: new Date(e.at) })),
        );
      });
    },
  };
}

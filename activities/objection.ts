import type { DocumentRef, FeeResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import type { ObjectionStage } from '../workflows/contracts/objection.js';
import { appendLateCaseEvent } from '../db/queries/case-events.js';
import { setObjectionStage } from '../db/queries/objections.js';
import { findPayment } from '../db/queries/payments.js';
import { holdsOfCase, releaseObjectionHolds } from '../db/queries/retention.js';
import { completeOutsideTask, createTask } from '../db/queries/tasks.js';
import { caseWorkerGroup } from '../workflows/contracts/task.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';
import type { CaseRef } from './fee-account.js';
import { requestFeePayment } from './fee-request.js';
import { payOut } from './payout.js';

export interface ObjectionTaskInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  stage: 'abhilfe' | 'objection_authority';
  taskId: string;
  late: boolean;
  periodEndsOn?: string;
  dueInMs: number;
}

export interface ObjectionStageInput {
  caseId: string;
  /** Sent by the workflow since its start; absent only in tests that call the activity alone. */
  serviceKey?: string;
  authorityId: string;
  stage: ObjectionStage;
  /** The task the decision completed, by whom and with which outcome. */
  completed?: { taskId: string; kind: string; by: string; outcome: string };
  abhilfe?: 'remedy' | 'partial_remedy' | 'no_remedy';
  widerspruch?: 'rejected' | 'granted' | 'partly_granted';
  reinstated?: boolean;
  /** The sealed document the stage issued. */
  documentId?: string;
}

export interface ObjectionDeliveryInput {
  caseId: string;
  serviceKey: string;
  recipient: string;
  document: DocumentRef;
  kind: 'abhilfebescheid' | 'widerspruchsbescheid';
}

const de = (d: string): string => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

/** Where the objection authority's staff work: the service's declaration, else the deciding authority's office. */
export function objectionAuthorityGroup(serviceKey: string, authorityId: string): string {
  const a = findService(serviceKey).lifecycle?.objection.authority;
  return `${objectionAuthorityOf(serviceKey, authorityId)}:${a?.group ?? 'widerspruchsstelle'}`;
}

/** The authority that decides the objection (§ 73 VwGO): another one where the service declares it, else the case's. */
export function objectionAuthorityOf(serviceKey: string, authorityId: string): string {
  return findService(serviceKey).lifecycle?.objection.authority?.authorityId ?? authorityId;
}

/** The objection procedure's effects: its tasks, its row and timeline, its delivered decisions; each once. */
export function createObjectionActivities(deps: ActivityDeps) {
  const { db, postbox } = deps;
  const requestFeeAgain = requestFeePayment(deps, 'fee-after-remedy', 'Gebühr nach Abhilfe');
  /**
   * The procedure is over: the objection's hold against erasure goes, once, and the timeline says so; retention then
   * runs as for any closed case. A retried run finds the hold released by the engine and only completes the timeline.
   */
  const releaseHoldOf = async (caseId: string): Promise<void> => {
    await releaseObjectionHolds(db, { caseId, releasedBy: 'engine' });
    const released = (await holdsOfCase(db, { caseId })).filter(
      (h) => h.kind === 'objection' && h.releasedBy === 'engine',
    );
    if (released.length === 0) return;
    await appendLateCaseEvent(db, {
      caseId,
      type: 'objection.hold_released',
      status: 'closed',
      data: { holds: released.map((h) => h.id), reason: 'Widerspruchsverfahren beendet' },
      eventKey: 'objection:hold-released',
    });
  };
  return {
    /**
     * `payOutAfterRemedy`: the amount a remedy grants on a pay-out service, paid to the application's IBAN once, under
     * its own effect key (`case:<id>:payout-after-remedy`), so it never merges with the case's own pay-out.
     */
    payOutAfterRemedy: payOut(deps, 'payout-after-remedy', 'Nachzahlung nach Abhilfe'),

    /**
     * `collectFeeAfterRemedy`: a fee paid back because the application was rejected (`refundOn: ['rejected']`) is due
     * again once a remedy grants it: a new payment at the provider under its own key (`case:<id>:fee-after-remedy`),
     * named in the Abhilfebescheid. Nothing where no fee was paid back; once per case, however often it runs.
     */
    async collectFeeAfterRemedy(i: CaseRef): Promise<FeeResult | undefined> {
      const fee = await findPayment(db, { idempotencyKey: effectKey(i.caseId, 'fee') });
      if (fee?.status !== 'refunded') return undefined;
      const due = await requestFeeAgain({ ...i, amountCents: fee.amountCents });
      if (due.status !== 'open') return undefined;
      return { status: 'due', amountCents: due.amountCents, currency: 'EUR' };
    },

    /**
     * `openObjectionTask`: the Abhilfeprüfung for the deciding authority's case workers, or the decision for the
     * objection authority; a late objection says so in the task.
     */
    async openObjectionTask(i: ObjectionTaskInput): Promise<void> {
      const lateNote = i.late
        ? ` Achtung: eingegangen nach Ablauf der Widerspruchsfrist (${i.periodEndsOn ? de(i.periodEndsOn) : 'unbekannt'}); ` +
          'über eine Wiedereinsetzung in den vorigen Stand ist zu entscheiden (§ 70 Abs. 2, § 60 VwGO).'
        : '';
      const abhilfe = i.stage === 'abhilfe';
      await createTask(db, {
        taskId: i.taskId,
        caseId: i.caseId,
        kind: abhilfe ? 'abhilfe' : 'widerspruchsbescheid',
        serviceKey: i.serviceKey,
        // The objection authority's task is in its own staff's inbox, where that is another authority.
        authorityId: abhilfe ? i.authorityId : objectionAuthorityOf(i.serviceKey, i.authorityId),
        candidateGroup: abhilfe ? caseWorkerGroup(i.authorityId) : objectionAuthorityGroup(i.serviceKey, i.authorityId),
        reason:
          (abhilfe
            ? 'Widerspruch eingegangen: Bitte prüfen, ob dem Widerspruch abgeholfen wird (§ 72 VwGO).'
            : 'Widerspruch ohne (volle) Abhilfe vorgelegt: Bitte durch Widerspruchsbescheid entscheiden (§ 73 VwGO).') +
          lateNote,
        dueAt: new Date(Date.now() + i.dueInMs),
      });
    },

    /** `recordObjectionStage`: the objection's row, the completed task and the case's timeline follow the workflow. */
    async recordObjectionStage(i: ObjectionStageInput): Promise<void> {
      if (i.completed)
        await completeOutsideTask(db, {
          taskId: i.completed.taskId,
          authorityId:
            i.completed.kind === 'widerspruchsbescheid' && i.serviceKey
              ? objectionAuthorityOf(i.serviceKey, i.authorityId)
              : i.authorityId,
          kind: i.completed.kind,
          by: i.completed.by,
          outcome: i.completed.outcome,
          justification: 'Entscheidung im Widerspruchsverfahren',
        });
      await setObjectionStage(db, {
        caseId: i.caseId,
        stage: i.stage,
        ...(i.abhilfe && { abhilfe: i.abhilfe }),
        ...(i.widerspruch && { widerspruch: i.widerspruch }),
        ...(i.reinstated !== undefined && { reinstated: i.reinstated }),
      });
      await appendLateCaseEvent(db, {
        caseId: i.caseId,
        type: `objection.${i.stage}`,
        status: 'closed',
        data: {
          ...(i.abhilfe && { abhilfe: i.abhilfe }),
          ...(i.widerspruch && { widerspruch: i.widerspruch }),
          ...(i.reinstated !== undefined && { reinstated: i.reinstated }),
          ...(i.documentId && { documentId: i.documentId }),
        },
        eventKey: `objection:${i.stage}`,
      });
      if (i.stage === 'remedied' || i.stage === 'decided') await releaseHoldOf(i.caseId);
    },

    /** `deliverObjectionDocument`: the sealed decision to the applicant's postbox, once per document. */
    async deliverObjectionDocument(i: ObjectionDeliveryInput): Promise<{ deliveryId: string }> {
      const service = findService(i.serviceKey);
      const d = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, i.kind),
        caseId: i.caseId,
        recipient: i.recipient,
        subject:
          i.kind === 'abhilfebescheid'
            ? `Abhilfebescheid zu Ihrem Widerspruch: ${service.name}`
            : `Widerspruchsbescheid: ${service.name}`,
        document: i.document,
      });
      return { deliveryId: d.deliveryId };
    },
  };
}

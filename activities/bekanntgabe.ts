import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type {
  BekanntgabeInput,
  BekanntgabePlan,
  BekanntgabeRecord,
  RetrievalCheck,
} from '../workflows/contracts/bekanntgabe.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { addAkteDocument, bekanntgabeDocumentId, findAkte, findAkteDocument } from '../db/queries/akte.js';
import { appendLateCaseEvent } from '../db/queries/case-events.js';
import { createTask } from '../db/queries/tasks.js';
import { candidateGroupOf, findAuthority, findService } from '../services/catalogue.js';
import {
  bekanntgabeAfterRetrieval,
  bekanntgabeByFiction,
  berlinDate,
  remedyDeadlines,
  retrievalWindowLastDay,
} from '../services/legal-time.js';
import type { Land, LegalLifecycle } from '../services/types.js';
import type { Database } from '../db/client.js';
import type { ActivityDeps } from './deps.js';

const LEGAL_BASIS: Record<BekanntgabeRecord['basis'], string> = {
  postbox_retrieval: '§ 41 Abs. 2a Satz 3 VwVfG',
  postal_fiction: '§ 41 Abs. 2 Satz 1 VwVfG',
  electronic_fiction: '§ 41 Abs. 2 Satz 2 VwVfG',
  manual_delivery: '§ 41 Abs. 5 VwVfG, §§ 3 bis 5 VwZG (Tag der Zustellung)',
};

export interface RecordBekanntgabeInput extends BekanntgabeInput {
  basis: 'postbox_retrieval' | 'electronic_fiction';
  /** The day of retrieval; for a fiction the day of sending, taken from the delivery. */
  eventOn: string | undefined;
}

export interface ProvideAgainInput extends BekanntgabeInput {
  /** 2 for the first repetition, and so on. */
  round: number;
  previousWindowLastDay: string;
}

export interface ProvidedAgain {
  deliveryId: string;
  notifiedOn: string;
  windowLastDay: string;
}

export interface AnnounceAnotherWayInput extends BekanntgabeInput {
  taskId: string;
  notifiedOn: string;
  windowLastDay: string;
}

const lifecycleOf = (i: { serviceKey: string; authorityId: string }): { lifecycle?: LegalLifecycle; land?: Land } => {
  const service = findService(i.serviceKey);
  return { lifecycle: service.lifecycle, land: findAuthority(service, i.authorityId).land };
};

/** German date for people: 06.12.2026. */
const de = (d: string): string => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

export function createBekanntgabeActivities({ db, postbox }: ActivityDeps) {
  return {
    /** Which rule establishes the Bekanntgabe of this case's Bescheid: pure, from the service's data and the postbox. */
    async planBekanntgabe(i: BekanntgabeInput): Promise<BekanntgabePlan> {
      const { lifecycle, land } = lifecycleOf(i);
      if (!lifecycle) return { kind: 'none', why: 'Der Dienst erklärt keine Fristen nach der Entscheidung.' };
      if (!land) return { kind: 'none', why: 'Für die Behörde ist kein Land (Feiertagskalender) erklärt.' };
      // A mail with a download link, or a postbox that cannot report retrieval: other electronic transmission.
      if (!postbox.retrievalOf || !i.channel.startsWith('postbox')) return { kind: 'fiction' };
      const notifiedOn = berlinDate(new Date(i.deliveredAt));
      const { retrievalWindowDays, ifNotRetrieved, repeatProvisions } = lifecycle.bekanntgabe.postbox;
      return {
        kind: 'retrieval',
        windowDays: retrievalWindowDays,
        notifiedOn,
        windowLastDay: retrievalWindowLastDay(notifiedOn, lifecycle),
        ...(ifNotRetrieved === 'repeat_provision' && { provideAgain: repeatProvisions ?? 1 }),
      };
    },

    /**
     * § 41 Abs. 2a Satz 5 VwVfG: the provision ended unretrieved; the Bescheid is provided in the postbox again (the
     * sealed copy in the Akte, a new notification), once per round however often this runs. The new delivery's
     * notification opens a window of its own.
     */
    async provideAgain(i: ProvideAgainInput): Promise<ProvidedAgain> {
      const [akte, bescheid] = await Promise.all([
        findAkte(db, { caseId: i.caseId }),
        findAkteDocument(db, { documentId: `${i.caseId}:bescheid` }),
      ]);
      const recipient = (akte?.identity as { subject?: string } | undefined)?.subject;
      if (!recipient || !bescheid) throw new Error(`case ${i.caseId}: no Akte with its Bescheid to provide again`);
      const d = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, `bekanntgabe-provision-${i.round}`),
        caseId: i.caseId,
        recipient,
        subject: `Bescheid zu Ihrem Antrag ${i.caseId} (erneute Bereitstellung)`,
        document: { sha256: bescheid.sha256, mediaType: bescheid.mediaType, size: bescheid.size },
      });
      const notifiedOn = berlinDate(d.deliveredAt);
      const { lifecycle } = lifecycleOf(i);
      const windowLastDay = lifecycle ? retrievalWindowLastDay(notifiedOn, lifecycle) : notifiedOn;
      await appendLateCaseEvent(db, {
        caseId: i.caseId,
        type: 'bekanntgabe.provided_again',
        status: 'closed',
        data: {
          round: i.round,
          deliveryId: d.deliveryId,
          previousWindowLastDay: i.previousWindowLastDay,
          notifiedOn,
          windowLastDay,
          reason:
            `Der Bescheid wurde bis ${de(i.previousWindowLastDay)} nicht abgerufen; er ist erneut zum Abruf ` +
            `bereitgestellt (§ 41 Abs. 2a Satz 5 VwVfG), abrufbar bis ${de(windowLastDay)}.`,
        },
        eventKey: `provided-again:${i.round}`,
      });
      return { deliveryId: d.deliveryId, notifiedOn, windowLastDay };
    },

    /** Asks the postbox whether the applicant retrieved the Bescheid, and on which day. */
    async checkRetrieval(i: { caseId: string; deliveryId: string }): Promise<RetrievalCheck> {
      if (!postbox.retrievalOf) throw new Error('this postbox cannot report retrieval');
      const r = await postbox.retrievalOf(i.deliveryId);
      return {
        notifiedOn: berlinDate(new Date(r.notifiedAt)),
        ...(r.retrievedAt && { retrievedOn: berlinDate(new Date(r.retrievedAt)) }),
      };
    },

    /**
     * The Bekanntgabe's day by the rule the case took, and the remedy period and Bestandskraft computed from it, into
     * the Akte (a record in its document index) and the case's timeline; once per case, however often it runs.
     */
    async recordBekanntgabe(i: RecordBekanntgabeInput): Promise<BekanntgabeRecord> {
      const eventOn = i.eventOn ?? berlinDate(new Date(i.deliveredAt));
      return recordBekanntgabeOf(db, { ...i, eventOn });
    },

    /**
     * § 41 Abs. 2a Satz 4 and 5 VwVfG: not retrieved within the window, the provision has ended and the decision is not
     * announced; the authority announces it another way (post, in person, Zustellung), as the service declares.
     */
    async announceAnotherWay(i: AnnounceAnotherWayInput): Promise<void> {
      const reason =
        `Der Bescheid wurde bis ${de(i.windowLastDay)} nicht aus dem Postfach abgerufen (Benachrichtigung am ` +
        `${de(i.notifiedOn)}); die Bekanntgabe ist nicht bewirkt (§ 41 Abs. 2a Satz 4 und 5 VwVfG). ` +
        'Bitte auf anderem Weg bekannt geben (Post, persönliche Übergabe oder Zustellung).';
      await createTask(db, {
        taskId: i.taskId,
        caseId: i.caseId,
        kind: 'deliver_manually',
        serviceKey: i.serviceKey,
        authorityId: i.authorityId,
        candidateGroup: candidateGroupOf(i.serviceKey, i.authorityId, 'deliver_manually'),
        reason,
        dueAt: new Date(Date.now() + 3 * i.legalDayMs),
      });
      await appendLateCaseEvent(db, {
        caseId: i.caseId,
        type: 'bekanntgabe.not_retrieved',
        status: 'closed',
        data: { notifiedOn: i.notifiedOn, windowLastDay: i.windowLastDay, taskId: i.taskId, reason },
        eventKey: 'not-retrieved',
      });
    },
  };
}

/**
 * The Bekanntgabe's day by the rule the case took, and the remedy period and Bestandskraft computed from it, into the
 * Akte (a record in its document index) and the case's timeline; once per case, however often it runs. Used by the
 * Bekanntgabe workflow and by the workbench when a person reports the delivery another way.
 */
export async function recordBekanntgabeOf(
  db: Database,
  i: { caseId: string; serviceKey: string; authorityId: string; basis: BekanntgabeRecord['basis']; eventOn: string },
): Promise<BekanntgabeRecord> {
  const { lifecycle, land } = lifecycleOf(i);
  if (!lifecycle || !land) throw new Error(`case ${i.caseId}: its service or authority declares no lifecycle`);
  const bekanntgabeOn =
    i.basis === 'postbox_retrieval'
      ? bekanntgabeAfterRetrieval(i.eventOn, lifecycle)
      : i.basis === 'manual_delivery'
        ? i.eventOn
        : bekanntgabeByFiction(i.eventOn, i.basis === 'postal_fiction' ? 'post' : 'electronic', lifecycle);
  const d = remedyDeadlines(bekanntgabeOn, lifecycle, land);
  const record: BekanntgabeRecord = {
    caseId: i.caseId,
    bekanntgabeOn,
    basis: i.basis,
    eventOn: i.eventOn,
    legalBasis: LEGAL_BASIS[i.basis],
    remedy: d.remedy,
    remedyPeriodEndsOn: d.remedyPeriodEndsOn,
    remedyPeriodComputedOn: d.remedyPeriodComputedOn,
    movedOver: d.movedOver,
    finalOn: d.finalOn,
    land,
  };
  const json = canonicalize(record) ?? '{}';
  const remedy = d.remedy === 'widerspruch' ? 'Widerspruchsfrist' : 'Klagefrist';
  const title = `Bekanntgabe am ${de(bekanntgabeOn)} (${LEGAL_BASIS[i.basis]}); ${remedy} bis ${de(d.remedyPeriodEndsOn)}; bestandskräftig ab ${de(d.finalOn)}`;
  await addAkteDocument(db, {
    documentId: bekanntgabeDocumentId(i.caseId),
    caseId: i.caseId,
    kind: 'bekanntgabe',
    title,
    mediaType: 'application/json',
    sha256: createHash('sha256').update(json).digest('hex'),
    size: Buffer.byteLength(json),
    content: record,
    authorRole: 'engine',
  });
  await appendLateCaseEvent(db, {
    caseId: i.caseId,
    type: 'bekanntgabe.established',
    status: 'closed',
    data: { ...record, reason: title },
    eventKey: 'bekanntgabe',
  });
  return record;
}

import { createHash } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import canonicalize from 'canonicalize';
import type { BekanntgabeRecord } from '../workflows/contracts/bekanntgabe.js';
import { DEFAULT_DEADLINES, type CaseDeadlines } from '../workflows/contracts/case.js';
import { objectionWorkflowId } from '../workflows/contracts/ids.js';
import { decideObjectionUpdate, objectionStateQuery } from '../workflows/contracts/messages.js';
import type {
  ObjectionDecision,
  ObjectionFiling,
  ObjectionInput,
  ObjectionRecord,
  ObjectionResult,
  ObjectionState,
} from '../workflows/contracts/objection.js';
import type { objectionWorkflow } from '../workflows/objection.js';
import type { Database } from '../db/client.js';
import {
  addAkteDocument,
  antragDocumentId,
  bekanntgabeDocumentId,
  findAkte,
  findAkteDocument,
} from '../db/queries/akte.js';
import { appendLateCaseEvent } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { findObjection, recordObjection } from '../db/queries/objections.js';
import { placeHold } from '../db/queries/retention.js';
import { findService } from '../services/catalogue.js';
import { berlinDate } from '../services/legal-time.js';

/** Why an objection is not taken, with the HTTP status the API answers. */
export class ObjectionRefusedError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ObjectionRefusedError';
  }
}

export const OBJECTION_ABOLISHED =
  'Gegen diesen Bescheid findet kein Widerspruchsverfahren statt: Das Land hat es für diese Leistung abgeschafft ' +
  '(§ 68 Abs. 1 Satz 2 VwGO). Sie können innerhalb eines Monats nach Bekanntgabe unmittelbar Klage beim ' +
  'Verwaltungsgericht erheben; die Rechtsbehelfsbelehrung des Bescheids nennt das Gericht.';

/** The legal days a task of the objection procedure is due in. */
const TASK_DUE_LEGAL_DAYS = 14;

/**
 * The objection procedure's way in: the applicant's objection (checked against the Akte and the recorded Bekanntgabe,
 * late ones flagged), its workflow `case:<id>:objection`, and the case workers' decisions. Works from PostgreSQL
 * alone: the original case's history may be gone.
 */
export class ObjectionClient {
  constructor(
    private readonly client: Client,
    private readonly db: Database,
    private readonly taskQueue: string,
    private readonly deadlines: Partial<CaseDeadlines> = {},
  ) {}

  async file(f: ObjectionFiling, now = new Date()): Promise<ObjectionRecord> {
    const akte = await findAkte(this.db, { caseId: f.caseId });
    if (!akte) throw new ObjectionRefusedError(404, 'Diesen Vorgang gibt es nicht.');
    const row = await getCase(this.db, { caseId: f.caseId });
    if (row?.status !== 'closed' || !row.outcome || row.outcome === 'withdrawn')
      throw new ObjectionRefusedError(
        409,
        'Zu diesem Antrag ist noch kein Bescheid ergangen, gegen den Sie Widerspruch erheben könnten.',
      );
    const lifecycle = findService(akte.serviceKey).lifecycle;
    if (!lifecycle || lifecycle.objection.procedure === 'abolished')
      throw new ObjectionRefusedError(409, OBJECTION_ABOLISHED);

    // Late against the recorded Bekanntgabe: flagged for the case worker, who may grant reinstatement (§ 70 Abs. 2 VwGO).
    const bekanntgabe = await findAkteDocument(this.db, { documentId: bekanntgabeDocumentId(f.caseId) });
    const periodEndsOn = (bekanntgabe?.content as BekanntgabeRecord | undefined)?.remedyPeriodEndsOn;
    const receivedOn = berlinDate(now);
    const late = periodEndsOn !== undefined && receivedOn > periodEndsOn;
    const record: ObjectionRecord = {
      caseId: f.caseId,
      receivedAt: now.toISOString(),
      late,
      ...(periodEndsOn && { periodEndsOn }),
      stage: 'abhilfe',
    };

    // Acting for someone (§ 14 VwVfG): the mandate the identity provider attested at application is the objection's too.
    const representation =
      f.representation ??
      (akte.identity as { representation?: ObjectionFiling['representation'] } | undefined)?.representation;
    const recorded = await this.db.transaction(async (tx) => {
      const fresh = await recordObjection(tx, {
        caseId: f.caseId,
        authorityId: akte.authorityId,
        serviceKey: akte.serviceKey,
        objector: f.subject,
        receivedAt: now,
        periodEndsOn: periodEndsOn ?? null,
        late,
        stage: 'abhilfe',
      });
      if (!fresh) return false;
      const content = {
        receivedAt: record.receivedAt,
        late,
        periodEndsOn: periodEndsOn ?? null,
        reasons: f.reasons,
        attachments: f.attachments,
        ...(f.fitConnectSubmissionId && { fitConnectSubmissionId: f.fitConnectSubmissionId }),
        ...(representation && {
          representation: {
            representedSubject: representation.representedSubject,
            mandateId: representation.mandateId,
          },
        }),
      };
      const json = canonicalize(content) ?? '{}';
      await addAkteDocument(tx, {
        documentId: `${f.caseId}:objection`,
        caseId: f.caseId,
        kind: 'objection',
        title: `Widerspruch vom ${germanDay(receivedOn)}${late ? ' (nach Ablauf der Widerspruchsfrist)' : ''}`,
        mediaType: 'application/json',
        sha256: createHash('sha256').update(json).digest('hex'),
        size: Buffer.byteLength(json),
        content,
        authorRole: 'applicant',
        authorId: f.subject,
        createdAt: now,
      });
      for (const a of f.attachments)
        await addAkteDocument(tx, {
          documentId: `${f.caseId}:objection:attachment:${a.sha256}`,
          caseId: f.caseId,
          kind: 'upload',
          title: a.fileName,
          mediaType: a.mediaType,
          sha256: a.sha256,
          size: a.size,
          blobKey: a.sha256,
          content: { objection: true, fileName: a.fileName },
          authorRole: 'applicant',
          authorId: f.subject,
          createdAt: now,
        });
      // An objection keeps the case from erasure until its procedure is over (retention).
      await placeHold(tx, {
        caseId: f.caseId,
        kind: 'objection',
        reason: 'Widerspruch eingegangen',
        placedBy: 'engine',
      });
      return true;
    });
    await appendLateCaseEvent(this.db, {
      caseId: f.caseId,
      type: 'objection.received',
      status: 'closed',
      data: { receivedOn, late, periodEndsOn: periodEndsOn ?? null },
      eventKey: 'objection',
    });
    const legalDayMs = this.deadlines.legalDayMs ?? DEFAULT_DEADLINES.legalDayMs;
    const antrag = await findAkteDocument(this.db, { documentId: antragDocumentId(f.caseId) });
    const input: ObjectionInput = {
      caseId: f.caseId,
      serviceKey: akte.serviceKey,
      authorityId: akte.authorityId,
      objector: f.subject,
      receivedAt: record.receivedAt,
      late,
      ...(periodEndsOn && { periodEndsOn }),
      taskDueInMs: TASK_DUE_LEGAL_DAYS * legalDayMs,
      ...(antrag?.kind === 'antrag' && { antrag: { sha256: antrag.sha256 } }),
    };
    try {
      // Started after the records, and again by a retried filing whose start did not happen: one workflow per case.
      await this.client.workflow.start<typeof objectionWorkflow>('objectionWorkflow', {
        workflowId: objectionWorkflowId(f.caseId),
        taskQueue: this.taskQueue,
        args: [input],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    if (!recorded) throw new ObjectionRefusedError(409, 'Gegen diesen Bescheid ist bereits Widerspruch erhoben.');
    return record;
  }

  /** The FIT-Connect submission the case's objection came in, if it came that way (from its Akte entry). */
  async fitConnectSubmissionOf(caseId: string): Promise<string | undefined> {
    const filed = await findAkteDocument(this.db, { documentId: `${caseId}:objection` });
    return (filed?.content as { fitConnectSubmissionId?: string } | undefined)?.fitConnectSubmissionId;
  }

  /** Where the objection stands, from PostgreSQL (its workflow's history may be gone). */
  find(caseId: string) {
    return findObjection(this.db, { caseId });
  }

  state(caseId: string): Promise<ObjectionState> {
    return this.client.workflow.getHandle(objectionWorkflowId(caseId)).query(objectionStateQuery);
  }

  decide(caseId: string, d: ObjectionDecision): Promise<ObjectionState> {
    return this.client.workflow
      .getHandle(objectionWorkflowId(caseId))
      .executeUpdate(decideObjectionUpdate, { args: [d] });
  }

  result(caseId: string): Promise<ObjectionResult> {
    return this.client.workflow.getHandle<typeof objectionWorkflow>(objectionWorkflowId(caseId)).result();
  }
}

const germanDay = (d: string): string => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;

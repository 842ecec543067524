import { createHash, randomUUID } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import canonicalize from 'canonicalize';
import type {
  CorrectionConfirmation,
  CorrectionInput,
  CorrectionProposal,
  CorrectionResult,
  CorrectionState,
} from '../workflows/contracts/correction.js';
import { correctionWorkflowId, effectKey } from '../workflows/contracts/ids.js';
import { confirmCorrectionUpdate, correctionStateQuery } from '../workflows/contracts/messages.js';
import type { correctionWorkflow } from '../workflows/correction.js';
import type { Database } from '../db/client.js';
import { addAkteDocument, findAkte, findAkteDocument } from '../db/queries/akte.js';
import { appendLateCaseEvent } from '../db/queries/case-events.js';
import { getCase } from '../db/queries/cases.js';
import { findCorrection, recordCorrection } from '../db/queries/corrections.js';
import { listPayments } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import { berlinDate, periodLastDay } from '../services/legal-time.js';

/** Why a correction is not taken, with the HTTP status the API answers. */
export class CorrectionRefusedError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'CorrectionRefusedError';
  }
}

/** Who proposes: a member of the case's authority. */
export interface CorrectionActor {
  id: string;
  authorityId: string;
}

const euro = (cents: number): string => `${(cents / 100).toFixed(2).replace('.', ',')} €`;

/**
 * Correcting a decision (Rücknahme § 48, Widerruf § 49 VwVfG): the case worker's proposal, checked against the Akte and
 * the case's payments, recorded and handed to its workflow `case:<id>:correction`, which waits for a second person.
 * Works from PostgreSQL alone: the case's own history may be gone.
 */
export class CorrectionClient {
  constructor(
    private readonly client: Client,
    private readonly db: Database,
    private readonly taskQueue: string,
  ) {}

  async propose(
    caseId: string,
    p: CorrectionProposal,
    by: CorrectionActor,
    now = new Date(),
  ): Promise<CorrectionInput> {
    const akte = await findAkte(this.db, { caseId });
    if (!akte || akte.authorityId !== by.authorityId)
      throw new CorrectionRefusedError(404, 'Diesen Vorgang gibt es nicht.');
    const [row, bescheid, running, payments] = await Promise.all([
      getCase(this.db, { caseId }),
      findAkteDocument(this.db, { documentId: `${caseId}:bescheid` }),
      findCorrection(this.db, { caseId }),
      listPayments(this.db, { caseId }),
    ]);
    if (row?.outcome === 'withdrawn')
      throw new CorrectionRefusedError(409, 'Der Antrag wurde zurückgenommen; es gibt keinen Bescheid zu korrigieren.');
    if (row?.status !== 'closed' || !bescheid)
      throw new CorrectionRefusedError(409, 'Zu diesem Antrag ist noch kein Bescheid ergangen.');
    if (running?.stage === 'awaiting_confirmation')
      throw new CorrectionRefusedError(409, 'Zu diesem Bescheid läuft bereits eine Rücknahme oder ein Widerruf.');
    if (running?.stage === 'issued')
      throw new CorrectionRefusedError(409, 'Dieser Bescheid ist bereits zurückgenommen oder widerrufen.');
    const service = findService(akte.serviceKey);
    const law = service.lifecycle?.correction;
    if (!law)
      throw new CorrectionRefusedError(409, 'Für diese Leistung sind Rücknahme und Widerruf nicht eingerichtet.');
    const today = berlinDate(now);
    if (p.knownSince && p.knownSince > today)
      throw new CorrectionRefusedError(409, 'Der Tag der Kenntnis liegt in der Zukunft.');
    if (p.knownSince && periodLastDay(p.knownSince, law.periodFromKnowledge) < today)
      throw new CorrectionRefusedError(
        409,
        'Die Frist für Rücknahme und Widerruf ist abgelaufen: nur innerhalb eines Jahres seit Kenntnis der Tatsachen ' +
          '(§ 48 Abs. 4, § 49 Abs. 2 Satz 2 VwVfG).',
      );
    const payout = service.fee.timing === 'payout';
    // § 49 Abs. 3 VwVfG: a lawful decision is revoked for the past only where it granted money (or goods) for a purpose.
    if (p.kind === 'widerruf' && p.effect === 'ex_tunc' && !payout)
      throw new CorrectionRefusedError(
        409,
        'Ein Widerruf mit Wirkung für die Vergangenheit ist nur bei Geld- oder Sachleistungen möglich (§ 49 Abs. 3 VwVfG).',
      );
    const paidOut = payments
      .filter((x) => x.kind === 'payout' && x.status === 'paid_out')
      .reduce((sum, x) => sum + x.amountCents, 0);
    if (p.reclaimCents !== undefined) {
      if (p.effect !== 'ex_tunc')
        throw new CorrectionRefusedError(
          409,
          'Zu erstatten ist nur, was mit Wirkung für die Vergangenheit entfällt (§ 49a Abs. 1 VwVfG).',
        );
      if (p.reclaimCents > paidOut)
        throw new CorrectionRefusedError(
          409,
          `Zurückgefordert werden kann höchstens der ausgezahlte Betrag (${euro(paidOut)}).`,
        );
    }
    const fee = payments.find((x) => x.idempotencyKey === effectKey(caseId, 'fee') && x.status === 'paid');
    if (p.refundFeeCents !== undefined && p.refundFeeCents > (fee?.amountCents ?? 0))
      throw new CorrectionRefusedError(
        409,
        `Erstattet werden kann höchstens die gezahlte Gebühr (${euro(fee?.amountCents ?? 0)}).`,
      );

    const correctionId = randomUUID();
    const input: CorrectionInput = {
      ...p,
      correctionId,
      caseId,
      serviceKey: akte.serviceKey,
      authorityId: akte.authorityId,
      proposedBy: by.id,
      proposedAt: now.toISOString(),
      addressee: akte.applicantSubject,
      ...(p.reclaimCents && { reclaimDueOn: periodLastDay(today, law.reclaimDue) }),
    };
    const recorded = await this.db.transaction(async (tx) => {
      const fresh = await recordCorrection(tx, {
        correctionId,
        caseId,
        authorityId: akte.authorityId,
        serviceKey: akte.serviceKey,
        kind: p.kind,
        effect: p.effect,
        stage: 'awaiting_confirmation',
        proposedBy: by.id,
        proposedAt: now,
        reclaimCents: p.reclaimCents ?? null,
        refundFeeCents: p.refundFeeCents ?? null,
      });
      if (!fresh) return false;
      const content = { ...p, proposedAt: input.proposedAt };
      const json = canonicalize(content) ?? '{}';
      await addAkteDocument(tx, {
        documentId: `${caseId}:correction:${correctionId}`,
        caseId,
        kind: 'correction',
        title: `${p.kind === 'ruecknahme' ? 'Rücknahme' : 'Widerruf'} des Bescheids vorgeschlagen (Vier-Augen-Prinzip)`,
        mediaType: 'application/json',
        sha256: createHash('sha256').update(json).digest('hex'),
        size: Buffer.byteLength(json),
        content,
        authorRole: 'case_worker',
        authorId: by.id,
        createdAt: now,
      });
      return true;
    });
    if (!recorded)
      throw new CorrectionRefusedError(409, 'Zu diesem Bescheid läuft bereits eine Rücknahme oder ein Widerruf.');
    await appendLateCaseEvent(this.db, {
      caseId,
      type: 'correction.proposed',
      status: 'closed',
      data: { kind: p.kind, effect: p.effect },
      eventKey: `correction:${correctionId}:proposed`,
    });
    try {
      await this.client.workflow.start<typeof correctionWorkflow>('correctionWorkflow', {
        workflowId: correctionWorkflowId(caseId),
        taskQueue: this.taskQueue,
        args: [input],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return input;
  }

  /** The case's latest correction, from PostgreSQL (its workflow's history may be gone). */
  find(caseId: string) {
    return findCorrection(this.db, { caseId });
  }

  state(caseId: string): Promise<CorrectionState> {
    return this.client.workflow.getHandle(correctionWorkflowId(caseId)).query(correctionStateQuery);
  }

  confirm(caseId: string, c: CorrectionConfirmation): Promise<CorrectionState> {
    return this.client.workflow
      .getHandle(correctionWorkflowId(caseId))
      .executeUpdate(confirmCorrectionUpdate, { args: [c] });
  }

  result(caseId: string): Promise<CorrectionResult> {
    return this.client.workflow.getHandle<typeof correctionWorkflow>(correctionWorkflowId(caseId)).result();
  }
}

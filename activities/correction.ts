import type { DocumentRef } from '../workflows/contracts/case.js';
import type { CorrectionKind, CorrectionStage } from '../workflows/contracts/correction.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { appendLateCaseEvent } from '../db/queries/case-events.js';
import { setCorrectionStage } from '../db/queries/corrections.js';
import { findPayment, recordPayment } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';
import { type CaseRef, feeAccount, fromProvider } from './fee-account.js';
import { refundPaidFee } from './fee-refund.js';

export interface CorrectionStageInput extends CaseRef {
  correctionId: string;
  stage: CorrectionStage;
  /** The second member of staff, who confirmed or refused. */
  by: string;
  /** The document issued, and the money reclaimed or refunded. */
  documentId?: string;
  reclaimedCents?: number;
  refundedCents?: number;
}

export interface CorrectionDeliveryInput extends CaseRef {
  kind: CorrectionKind;
  recipient: string;
  document: DocumentRef;
}

/** The correction's effects: its row and timeline, its delivered Bescheid, the reclaim or the fee refund; each once. */
export function createCorrectionActivities(deps: ActivityDeps) {
  const { db, postbox, payments } = deps;
  return {
    /** `recordCorrectionStage`: the correction's row and the case's timeline follow the workflow. */
    async recordCorrectionStage(i: CorrectionStageInput): Promise<void> {
      await setCorrectionStage(db, {
        correctionId: i.correctionId,
        stage: i.stage,
        confirmedBy: i.by,
        ...(i.documentId && { documentId: i.documentId }),
      });
      await appendLateCaseEvent(db, {
        caseId: i.caseId,
        type: `correction.${i.stage}`,
        status: 'closed',
        data: {
          ...(i.documentId && { documentId: i.documentId }),
          ...(i.reclaimedCents && { reclaimedCents: i.reclaimedCents }),
          ...(i.refundedCents && { refundedCents: i.refundedCents }),
        },
        eventKey: `correction:${i.correctionId}:${i.stage}`,
      });
    },

    /** `deliverCorrectionDocument`: the sealed Rücknahme- or Widerrufsbescheid to the applicant's postbox, once. */
    async deliverCorrectionDocument(i: CorrectionDeliveryInput): Promise<{ deliveryId: string }> {
      const service = findService(i.serviceKey);
      const d = await postbox.deliver({
        idempotencyKey: effectKey(i.caseId, 'correction-bescheid'),
        caseId: i.caseId,
        recipient: i.recipient,
        subject: `${i.kind === 'ruecknahme' ? 'Rücknahmebescheid' : 'Widerrufsbescheid'}: ${service.name}`,
        document: i.document,
      });
      return { deliveryId: d.deliveryId };
    },

    /**
     * `reclaimPayout`: the amount to pay back (§ 49a VwVfG) as a payment request at the provider, once per case (effect
     * key `case:<id>:correction-reclaim`); the applicant pays it like a fee, the row stays open until then.
     */
    async reclaimPayout(i: CaseRef & { amountCents: number }): Promise<{ amountCents: number; transactionId: string }> {
      const idempotencyKey = effectKey(i.caseId, 'correction-reclaim');
      const known = await findPayment(db, { idempotencyKey });
      if (known) return { amountCents: known.amountCents, transactionId: known.providerTransactionId };
      const t = await fromProvider(
        payments.provider.createTransaction({
          idempotencyKey,
          amountCents: i.amountCents,
          currency: 'EUR',
          purpose: `Erstattung ${findService(i.serviceKey).name}, Vorgang ${i.caseId}`,
          returnUrl: new URL(`/cases/${i.caseId}`, payments.portalUrl).toString(),
          notifyUrl: payments.notifyUrl,
        }),
      );
      await recordPayment(db, {
        idempotencyKey,
        caseId: i.caseId,
        kind: 'reclaim',
        amountCents: t.amountCents,
        currency: t.currency,
        account: feeAccount(i),
        providerTransactionId: t.transactionId,
        paymentPageUrl: t.paymentPageUrl,
        status: 'open',
      });
      return { amountCents: t.amountCents, transactionId: t.transactionId };
    },

    /**
     * `refundFeeOnCorrection`: pays the named part of the paid fee back, once per case (effect key
     * `case:<id>:correction-refund`); the refund's row, the fee's status and the outgoing booking in one transaction.
     */
    async refundFeeOnCorrection(i: CaseRef & { amountCents: number }): Promise<{ amountCents: number }> {
      const r = await refundPaidFee({ db, payments }, i, {
        idempotencyKey: effectKey(i.caseId, 'correction-refund'),
        amountCents: i.amountCents,
      });
      return { amountCents: r.amountCents };
    },
  };
}

import { ApplicationFailure } from '@temporalio/activity';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import type { ApplicationSource, PayoutResult } from '../workflows/contracts/case.js';
import { effectKey } from '../workflows/contracts/ids.js';
import { recordHkrBooking } from '../db/queries/hkr-bookings.js';
import { recordPayment } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import { applicationFrom } from './antrag.js';
import type { ActivityDeps } from './deps.js';
import { type CaseRef, feeAccount, fromProvider } from './fee-account.js';
import { hkrBooking } from './fee-booking.js';

/**
 * `payOut`: pays the approved amount to the IBAN the application names (the service's `payeeIbanField`), exactly once
 * per case (`effect` names it: the case's pay-out, or a correction after an objection, whose `note` the remittance
 * text carries); an invalid IBAN is final. The pay-out's row and its outgoing booking are written in one transaction.
 */
export function payOut({ db, payments }: Pick<ActivityDeps, 'db' | 'payments'>, effect = 'payout', note?: string) {
  return async (i: CaseRef & ApplicationSource & { amountCents: number }): Promise<PayoutResult> => {
    const service = findService(i.serviceKey);
    const field = service.fee.payeeIbanField ?? 'iban';
    const application = await applicationFrom(db, i);
    const iban = electronicFormatIBAN(String(application[field] ?? '')) ?? '';
    if (!isValidIBAN(iban))
      throw ApplicationFailure.nonRetryable(`the application's ${field} is not a valid IBAN`, 'InvalidIban');
    const idempotencyKey = effectKey(i.caseId, effect);
    const p = await fromProvider(
      payments.provider.payout({
        idempotencyKey,
        amountCents: i.amountCents,
        currency: 'EUR',
        iban,
        // A further pay-out says what it is on the payee's statement, apart from the first one.
        purpose: `${service.name}, Vorgang ${i.caseId}${note ? `, ${note}` : ''}`,
      }),
    );
    await db.transaction(async (tx) => {
      await recordPayment(tx, {
        idempotencyKey,
        caseId: i.caseId,
        kind: 'payout',
        amountCents: p.amountCents,
        currency: p.currency,
        account: feeAccount(i),
        providerTransactionId: p.payoutId,
        reference: p.reference,
        status: 'paid_out',
        settledAt: new Date(),
      });
      await recordHkrBooking(
        tx,
        hkrBooking(i, {
          bookingKey: idempotencyKey,
          kind: 'payout',
          direction: 'out',
          amountCents: p.amountCents,
          account: feeAccount(i),
          reference: p.reference,
          providerTransactionId: p.payoutId,
        }),
      );
    });
    return { payoutId: p.payoutId, amountCents: p.amountCents, currency: p.currency, reference: p.reference };
  };
}

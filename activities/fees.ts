import type { FeeResult } from '../contracts/case.js';
import { effectKey } from '../contracts/ids.js';
import { recordPayment } from '../db/queries/payments.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';

/**
 * Collects the service fee. The payment sandbox settles at once; the key derived from the case
 * makes a retried call find the first booking instead of charging again.
 */
export function createFeeActivities({ db }: ActivityDeps) {
  return {
    async collectFee(i: { caseId: string; serviceKey: string; authorityId: string; amountCents: number }): Promise<FeeResult> {
      const service = findService(i.serviceKey);
      if (i.amountCents === 0) return { status: 'not_required', amountCents: 0, currency: 'EUR' };
      const authority = service.authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const idempotencyKey = effectKey(i.caseId, 'fee');
      const booking = await recordPayment(db, {
        idempotencyKey,
        caseId: i.caseId,
        amountCents: i.amountCents,
        currency: 'EUR',
        account: authority.feeAccount,
        reference: kassenzeichen(idempotencyKey),
      });
      return { status: 'paid', amountCents: booking.amountCents, currency: 'EUR', reference: booking.reference };
    },
  };
}

// A Kassenzeichen is short and numeric; derive it from the key so a retry books under the same one.
function kassenzeichen(key: string): string {
  let h = 0n;
  for (const ch of key) h = (h * 131n + BigInt(ch.codePointAt(0) ?? 0)) % 10n ** 12n;
  return `KZ-${h.toString().padStart(12, '0')}`;
}

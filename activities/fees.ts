import type { ActivityDeps } from './deps.js';
import { cancelFeePayment } from './fee-cancellation.js';
import { openFeePayment, requestFeePayment } from './fee-request.js';
import { checkFeePayment } from './fee-status.js';
import { remindFeePayment } from './fee-reminder.js';
import { refundFee } from './fee-refund.js';
import { payOut } from './payout.js';

export type { CaseRef } from './fee-account.js';
export type { OpenedFee } from './fee-request.js';

/**
 * Fees, refunds and pay-outs, one file each. Each money effect carries a key derived from the case, both at the
 * provider and as the primary key of its row, so a retried activity or a restarted worker finds the first effect
 * instead of charging or paying twice. A settled effect is booked for the HKR (fee-booking.ts) in the same transaction
 * that records it. The keys are the activities' names in workflow histories: never rename one.
 */
export function createFeeActivities(deps: ActivityDeps) {
  return {
    requestFeePayment: requestFeePayment(deps),
    checkFeePayment: checkFeePayment(deps),
    remindFeePayment: remindFeePayment(deps),
    cancelFeePayment: cancelFeePayment(deps),
    refundFee: refundFee(deps),
    payOut: payOut(deps),
    openFeePayment: openFeePayment(deps),
  };
}

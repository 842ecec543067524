import { effectKey } from '../workflows/contracts/ids.js';
import type { ActivityDeps } from './deps.js';
import type { CaseRef } from './fee-account.js';

/** `remindFeePayment`: one reminder to the applicant's postbox, with the payment page; never sent twice. */
export function remindFeePayment({ documents, postbox }: Pick<ActivityDeps, 'documents' | 'postbox'>) {
  return async (
    i: CaseRef & { recipient: string; paymentPageUrl: string; amountCents: number; dueAt: string },
  ): Promise<void> => {
    const text = [
      `Erinnerung: Für Ihren Antrag ${i.caseId} ist eine Gebühr von ${euro(i.amountCents)} offen.`,
      `Bitte bezahlen Sie bis ${i.dueAt}: ${i.paymentPageUrl}`,
    ].join('\n');
    const document = await documents.put(Buffer.from(text, 'utf8'), 'text/plain; charset=utf-8');
    await postbox.deliver({
      idempotencyKey: effectKey(i.caseId, 'fee-reminder'),
      caseId: i.caseId,
      recipient: i.recipient,
      subject: `Zahlungserinnerung zu Ihrem Antrag ${i.caseId}`,
      document,
    });
  };
}

/** An amount as the letter writes it: `12,50 EUR`. */
const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} EUR`;

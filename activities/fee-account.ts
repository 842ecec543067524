import { ApplicationFailure } from '@temporalio/activity';
import { PaymentRefusedError } from '../adapters/payments.js';
import { findService } from '../services/catalogue.js';

/** The case a money effect belongs to: its id, service and the authority that charges or pays. */
export interface CaseRef {
  caseId: string;
  serviceKey: string;
  authorityId: string;
}

/** The authority's account for the service's fees and pay-outs; an authority that does not offer it is final. */
export function feeAccount(r: CaseRef): string {
  const authority = findService(r.serviceKey).authorities[r.authorityId];
  if (!authority) throw ApplicationFailure.nonRetryable(`authority ${r.authorityId} does not offer ${r.serviceKey}`);
  return authority.feeAccount;
}

/**
 * A call to the payment provider: a refusal a retry cannot fix (bad IBAN, amount too high) becomes a non-retryable
 * `PaymentRefused` failure with the provider's status; anything else is thrown as it is, to be retried.
 */
export function fromProvider<T>(call: Promise<T>): Promise<T> {
  return call.catch((err: unknown) =>
    Promise.reject(
      err instanceof PaymentRefusedError
        ? ApplicationFailure.nonRetryable(err.message, 'PaymentRefused', err.status)
        : err,
    ),
  );
}

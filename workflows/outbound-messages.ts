import { isCancellation, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { StatusMessageInput } from '../activities/outbound.js';
import { RETRY } from './activity-proxies.js';
import {
  applicationSourceOf,
  type CaseInput,
  type CaseOutcome,
  type CaseState,
  type CaseStatus,
} from './contracts/case.js';
import type { Milestone } from '../adapters/status-messages.js';

/** Patch id: cases started before status messages and forwarding existed replay without them. */
export const OUTBOUND_PATCH = 'status-messages-and-forwarding';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: RETRY });

/**
 * A status message is a short call to the postbox: tried in the worker first, a few times within a minute. An outage
 * longer than that moves it to an ordinary activity, whose retries the server keeps without growing the history.
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { ...RETRY, maximumAttempts: 4 },
});

async function sendStatusMessage(m: StatusMessageInput, locally: boolean): Promise<void> {
  if (!locally) return void (await acts.sendStatusMessage(m));
  try {
    await local.sendStatusMessage(m);
  } catch (err) {
    if (isCancellation(err)) throw err;
    // Same idempotency key (case and milestone): a message the postbox did take is not sent twice.
    await acts.sendStatusMessage(m);
  }
}

/** Which stage entry is which milestone the applicant hears about. */
function milestoneOf(status: CaseStatus, data?: Record<string, unknown>): Milestone | undefined {
  if (status === 'received') return 'received';
  if (status === 'awaiting_applicant') return 'documents_needed';
  if (status === 'issuing_bescheid') return 'decided';
  if (status === 'archiving' && data?.['delivery'] === 'delivered') return 'delivered';
  return undefined;
}

/**
 * Called on every stage entry: announces milestones to the applicant's postbox and, once the Bescheid is out, forwards an
 * approved case to the recipients its rules named. Each message carries a key per case and target; `locally` (cases from
 * LEAN_OUTBOUND_PATCH on) sends status messages as local activities.
 */
export async function onStageEntered(
  input: CaseInput,
  state: CaseState,
  status: CaseStatus,
  data?: Record<string, unknown>,
  locally = false,
): Promise<void> {
  const milestone = milestoneOf(status, data);
  const ref = { caseId: input.caseId, serviceKey: input.serviceKey, authorityId: input.authorityId };
  const at = new Date().toISOString();
  const outcome = status === 'issuing_bescheid' ? (data?.['outcome'] as CaseOutcome | undefined) : undefined;
  if (milestone)
    await sendStatusMessage({ ...ref, recipient: input.identity.subject, milestone, outcome, at }, locally);
  const forwardTo = state.decision?.outcome === 'approve' ? (state.decision.forwardTo ?? []) : [];
  if (status === 'archiving' && forwardTo.length > 0) {
    await Promise.all(
      forwardTo.map((recipient) =>
        acts.forwardCase({
          ...ref,
          applicantSubject: input.identity.subject,
          recipient,
          ...applicationSourceOf(input),
          decision: state.decision!,
          submittedAt: input.submittedAt,
          at,
        }),
      ),
    );
  }
}

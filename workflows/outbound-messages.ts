import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CaseInput, CaseOutcome, CaseState, CaseStatus } from '../contracts/case.js';
import type { Milestone } from '../adapters/status-messages.js';

/** Patch id: cases started before status messages and forwarding existed replay without them. */
export const OUTBOUND_PATCH = 'status-messages-and-forwarding';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

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
 * approved case to the recipients its rules named. Each message is its own activity with a key per case and target.
 */
export async function onStageEntered(
  input: CaseInput,
  state: CaseState,
  status: CaseStatus,
  data?: Record<string, unknown>,
): Promise<void> {
  const milestone = milestoneOf(status, data);
  const ref = { caseId: input.caseId, serviceKey: input.serviceKey, authorityId: input.authorityId };
  const at = new Date().toISOString();
  const outcome = status === 'issuing_bescheid' ? (data?.['outcome'] as CaseOutcome | undefined) : undefined;
  if (milestone) await acts.sendStatusMessage({ ...ref, recipient: input.identity.subject, milestone, outcome, at });
  const forwardTo = state.decision?.outcome === 'approve' ? (state.decision.forwardTo ?? []) : [];
  if (status === 'archiving' && forwardTo.length > 0) {
    await Promise.all(
      forwardTo.map((recipient) =>
        acts.forwardCase({
          ...ref,
          applicantSubject: input.identity.subject,
          recipient,
          application: input.application,
          decision: state.decision!,
          submittedAt: input.submittedAt,
          at,
        }),
      ),
    );
  }
}

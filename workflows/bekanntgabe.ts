import { patched, sleep } from '@temporalio/workflow';
import type { BekanntgabeInput, BekanntgabeResult } from './contracts/bekanntgabe.js';
import { acts, local } from './activity-proxies.js';

/**
 * When the Bescheid counts as announced (§ 41 VwVfG), and the deadlines that run from then. Its own workflow, started
 * as the case closes, so the case's history and its shape stay as they were.
 *
 * Postbox with retrieval reports (§ 41 Abs. 2a): the postbox is asked once per legal day, up to the service's window
 * after the notification (ten days by law). A retrieval in time makes the day after it the Bekanntgabe; none, and
 * the provision has ended without an announcement: a task asks the authority to announce another way. A postbox that
 * cannot report retrieval is "other electronic transmission" (§ 41 Abs. 2 Satz 2): the fiction counts from sending.
 * Where the service declares `repeat_provision`, an unretrieved Bescheid is first provided again (Satz 5).
 */
export async function bekanntgabeWorkflow(input: BekanntgabeInput): Promise<BekanntgabeResult> {
  const plan = await local.planBekanntgabe(input);
  if (plan.kind === 'none') return { status: 'not_computed', why: plan.why };
  if (plan.kind === 'fiction') {
    const record = await acts.recordBekanntgabe({ ...input, basis: 'electronic_fiction', eventOn: undefined });
    return { status: 'announced', record };
  }
  // The provision in the postbox, and where the service says so each repeated one (§ 41 Abs. 2a Satz 5): a window each.
  let provision = { deliveryId: input.deliveryId, notifiedOn: plan.notifiedOn, windowLastDay: plan.windowLastDay };
  for (let round = 1; ; round++) {
    const retrievedOn = await retrievalWithin(input, provision, plan.windowDays);
    if (retrievedOn) {
      const record = await acts.recordBekanntgabe({ ...input, basis: 'postbox_retrieval', eventOn: retrievedOn });
      return { status: 'announced', record };
    }
    if (round > (plan.provideAgain ?? 0) || !patched(REPEAT_PROVISION_PATCH)) break;
    provision = await acts.provideAgain({ ...input, round: round + 1, previousWindowLastDay: provision.windowLastDay });
  }
  const taskId = `${input.caseId}:bekanntgabe`;
  await acts.announceAnotherWay({
    ...input,
    taskId,
    notifiedOn: provision.notifiedOn,
    windowLastDay: provision.windowLastDay,
  });
  return { status: 'not_retrieved', taskId };
}

/** Workflows from this patch on provide an unretrieved Bescheid again where their plan says so. */
export const REPEAT_PROVISION_PATCH = 'bekanntgabe-repeat-provision';

/** The day of retrieval within the provision's window: the postbox asked once per legal day, `windowDays + 1` times. */
async function retrievalWithin(
  input: BekanntgabeInput,
  provision: { deliveryId: string; windowLastDay: string },
  windowDays: number,
): Promise<string | undefined> {
  for (let day = 0; ; day++) {
    const check = await acts.checkRetrieval({ caseId: input.caseId, deliveryId: provision.deliveryId });
    if (check.retrievedOn && check.retrievedOn <= provision.windowLastDay) return check.retrievedOn;
    if (day >= windowDays) return undefined;
    await sleep(input.legalDayMs);
  }
}

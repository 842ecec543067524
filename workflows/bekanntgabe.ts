import { sleep } from '@temporalio/workflow';
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
 */
export async function bekanntgabeWorkflow(input: BekanntgabeInput): Promise<BekanntgabeResult> {
  const plan = await local.planBekanntgabe(input);
  if (plan.kind === 'none') return { status: 'not_computed', why: plan.why };
  if (plan.kind === 'fiction') {
    const record = await acts.recordBekanntgabe({ ...input, basis: 'electronic_fiction', eventOn: undefined });
    return { status: 'announced', record };
  }
  for (let day = 0; ; day++) {
    const check = await acts.checkRetrieval({ caseId: input.caseId, deliveryId: input.deliveryId });
    if (check.retrievedOn && check.retrievedOn <= plan.windowLastDay) {
      const record = await acts.recordBekanntgabe({ ...input, basis: 'postbox_retrieval', eventOn: check.retrievedOn });
      return { status: 'announced', record };
    }
    if (day >= plan.windowDays) break;
    await sleep(input.legalDayMs);
  }
  const taskId = `${input.caseId}:bekanntgabe`;
  await acts.announceAnotherWay({ ...input, taskId, notifiedOn: plan.notifiedOn, windowLastDay: plan.windowLastDay });
  return { status: 'not_retrieved', taskId };
}

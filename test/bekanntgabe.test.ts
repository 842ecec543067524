import { describe, expect, it } from 'vitest';
import { verifyEventChain } from '../db/event-chain.js';
import { listAkteDocuments } from '../db/queries/akte.js';
import { listCaseEvents } from '../db/queries/case-events.js';
import { listOpenTasks } from '../db/queries/tasks.js';
import { addDays, berlinDate, nonWorkingReason, periodLastDay } from '../services/legal-time.js';
import { findAuthority, findService } from '../services/catalogue.js';
import type { Land } from '../services/types.js';
import type { BekanntgabeResult } from '../workflows/contracts/bekanntgabe.js';
import { bekanntgabeWorkflowId } from '../workflows/contracts/ids.js';
import { client, db, httpApiFor, postboxUrl, withWorker } from './harness.js';
import { applicantToken, call } from './http-helpers.js';
import { completeManualDelivery } from '../http/workbench/manual-tasks.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';
import { lastenradApplication } from '../dev/demo/sample-other-services.js';

// Time moves by configuration: a legal day lasts `legalDayMs` for the workflow's timers; the dates themselves come
// from the postbox (notification, retrieval) and the calendar.
const retrieve = async (recipient: string, deliveryId: string, retrievedAt: string) => {
  const res = await fetch(`${postboxUrl}/postbox/${encodeURIComponent(recipient)}/${deliveryId}/retrieval`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retrievedAt }),
  });
  expect(res.status).toBe(200);
};

const landOf = (a: { serviceKey: string; authorityId: string }): Land => {
  const land = findAuthority(findService(a.serviceKey), a.authorityId).land;
  if (!land) throw new Error(`authority ${a.authorityId} declares no Land`);
  return land;
};

const bekanntgabeOf = (caseId: string) =>
  client.workflow.getHandle(bekanntgabeWorkflowId(caseId)).result() as Promise<BekanntgabeResult>;

describe('Bekanntgabe of the Bescheid by retrieval from the postbox (§ 41 Abs. 2a VwVfG)', () => {
  it("retrieved on day 3 after the notification: announced on day 4, the objection period ends a month later on a working day of the authority's Land", async () => {
    await withWorker(async (e) => {
      const { cases } = e;
      const submission = applicationOf('resident', 4);
      const land = landOf(submission);
      const { caseId } = await cases.submit({ ...submission, deadlines: { legalDayMs: 2_000 } });
      const result = await cases.result(caseId);
      expect(result.delivery.status).toBe('delivered');
      const notifiedOn = berlinDate(new Date(result.delivery.deliveredAt!));
      await retrieve(
        submission.identity.subject,
        result.delivery.deliveryId,
        `${addDays(notifiedOn, 3)}T10:15:00+01:00`,
      );

      const outcome = await bekanntgabeOf(caseId);
      if (outcome.status !== 'announced') throw new Error(`not announced: ${JSON.stringify(outcome)}`);
      const r = outcome.record;
      expect(r).toMatchObject({
        basis: 'postbox_retrieval',
        eventOn: addDays(notifiedOn, 3),
        bekanntgabeOn: addDays(notifiedOn, 4),
        legalBasis: '§ 41 Abs. 2a Satz 3 VwVfG',
        remedy: 'widerspruch',
        land,
      });
      // § 188 Abs. 2 BGB: the day of next month with the Bekanntgabe's number; moved only over days off in the authority's Land.
      expect(r.remedyPeriodComputedOn).toBe(periodLastDay(r.bekanntgabeOn, { months: 1 }));
      expect(nonWorkingReason(r.remedyPeriodEndsOn, land)).toBeUndefined();
      for (let d = r.remedyPeriodComputedOn; d < r.remedyPeriodEndsOn; d = addDays(d, 1))
        expect(nonWorkingReason(d, land)).toBeDefined();
      expect(r.finalOn).toBe(addDays(r.remedyPeriodEndsOn, 1));

      // In the Akte's document index and at the end of the case's (still intact) timeline.
      const entry = (await listAkteDocuments(db, { caseId })).find((d) => d.kind === 'bekanntgabe');
      const de = (d: string) => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;
      expect(entry?.title).toContain(`Bekanntgabe am ${de(r.bekanntgabeOn)}`);
      expect(entry?.title).toContain(`Widerspruchsfrist bis ${de(r.remedyPeriodEndsOn)}`);
      const events = await listCaseEvents(db, { caseId });
      expect(events.at(-2)?.type).toBe('case.closed');
      expect(events.at(-1)).toMatchObject({
        type: 'bekanntgabe.established',
        data: { bekanntgabeOn: r.bekanntgabeOn, remedyPeriodEndsOn: r.remedyPeriodEndsOn },
      });
      expect(verifyEventChain(events)).toMatchObject({ valid: true });

      // The applicant's view shows the Bekanntgabe and the next deadline.
      const api = await httpApiFor(e);
      const view = await call(
        api,
        'GET',
        `/cases/${caseId}/milestones`,
        await applicantToken(submission.identity.subject),
      );
      expect(view.status, JSON.stringify(view.body)).toBe(200);
      expect(view.body).toMatchObject({
        bekanntgabe: {
          bekanntgabeOn: r.bekanntgabeOn,
          basis: 'postbox_retrieval',
          remedy: 'widerspruch',
          remedyPeriodEndsOn: r.remedyPeriodEndsOn,
          finalOn: r.finalOn,
        },
      });
      await api.close();
    });
  });

  it('not retrieved, where the service provides it again: a second provision with a window of its own, retrieved on its third day, announced the day after', async () => {
    await withWorker(async ({ cases }) => {
      const submission = lastenradApplication('eligible', 31);
      // A legal day of a second: the first window passes unretrieved, the second is long enough to retrieve in.
      const { caseId } = await cases.submit({ ...submission, deadlines: { legalDayMs: 1_000 } });
      const result = await cases.result(caseId);
      expect(result.delivery.status).toBe('delivered');

      // The first window passes: the Bescheid is provided again, with a new notification and window.
      const again = await waitFor(
        async () => (await listCaseEvents(db, { caseId })).find((e) => e.type === 'bekanntgabe.provided_again'),
        { timeoutMs: 60_000, what: 'the second provision' },
      );
      const second = again.data as { deliveryId: string; notifiedOn: string; windowLastDay: string; reason: string };
      expect(second.deliveryId).not.toBe(result.delivery.deliveryId);
      expect(second.reason).toContain('§ 41 Abs. 2a Satz 5 VwVfG');
      expect(second.windowLastDay).toBe(addDays(second.notifiedOn, 10));
      await retrieve(submission.identity.subject, second.deliveryId, `${addDays(second.notifiedOn, 3)}T09:00:00+01:00`);

      const outcome = await bekanntgabeOf(caseId);
      if (outcome.status !== 'announced') throw new Error(`not announced: ${JSON.stringify(outcome)}`);
      expect(outcome.record).toMatchObject({
        basis: 'postbox_retrieval',
        eventOn: addDays(second.notifiedOn, 3),
        bekanntgabeOn: addDays(second.notifiedOn, 4),
      });
      // No task for the post office: the second provision did it.
      const open = await listOpenTasks(db, { authorityId: submission.authorityId });
      expect(open.some((t) => t.taskId === `${caseId}:bekanntgabe`)).toBe(false);
    });
  });

  it("not retrieved within ten days after the notification: not announced; the post office gets a task to announce it another way and reports the letter's posting day", async () => {
    await withWorker(async ({ cases }) => {
      const submission = applicationOf('resident', 5);
      const { caseId } = await cases.submit({ ...submission, deadlines: { legalDayMs: 300 } });
      const result = await cases.result(caseId);
      expect(result.delivery.status).toBe('delivered');

      expect(await bekanntgabeOf(caseId)).toEqual({ status: 'not_retrieved', taskId: `${caseId}:bekanntgabe` });
      const { authorityId } = submission;
      const task = (await listOpenTasks(db, { authorityId })).find((t) => t.taskId === `${caseId}:bekanntgabe`);
      expect(task).toMatchObject({ kind: 'deliver_manually', candidateGroup: `${authorityId}:poststelle` });
      expect(task?.reason).toContain('§ 41 Abs. 2a Satz 4 und 5 VwVfG');
      expect((await listAkteDocuments(db, { caseId })).some((d) => d.kind === 'bekanntgabe')).toBe(false);
      expect((await listCaseEvents(db, { caseId })).at(-1)?.type).toBe('bekanntgabe.not_retrieved');

      // The post office sends it as a plain letter, posted on Thursday 3 December 2026: announced on the fourth day
      // after posting (§ 41 Abs. 2 Satz 1 VwVfG since 2025), Monday 7 December; a month later is Thursday 7 January.
      const actor = { id: 'ps.paul', role: 'case_worker' as const, authorityId };
      const report = { taskId: task!.taskId, channel: 'post' as const, note: 'Tagespost', deliveredOn: '2026-12-03' };
      expect(await completeManualDelivery(db, actor, report)).toEqual({ ok: true });
      expect(await cases.bekanntgabe(caseId)).toMatchObject({
        basis: 'postal_fiction',
        eventOn: '2026-12-03',
        bekanntgabeOn: '2026-12-07',
        legalBasis: '§ 41 Abs. 2 Satz 1 VwVfG',
        remedyPeriodEndsOn: '2027-01-07',
        finalOn: '2027-01-08',
      });
      expect((await listCaseEvents(db, { caseId })).at(-1)?.type).toBe('bekanntgabe.established');
      // Reported twice, the second is refused and the Bekanntgabe stays as first recorded.
      expect(await completeManualDelivery(db, actor, { ...report, deliveredOn: '2026-12-04' })).toMatchObject({
        ok: false,
        status: 409,
      });
      expect((await cases.bekanntgabe(caseId))?.eventOn).toBe('2026-12-03');
    });
  });
});

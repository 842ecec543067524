import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpForwarding, type ForwardedNotice } from '../adapters/forwarding.js';
import { HttpStatusChannel, type StatusChannel } from '../adapters/status-messages.js';
import { createOutboundActivities } from '../activities/outbound.js';
import { caseWorkflowId } from '../workflows/contracts/ids.js';
import { gewerbeApplication } from '../dev/demo/sample-other-services.js';
import { startForwardingSandbox } from '../dev/stand-ins/forwarding/server.js';
import { eventually } from './support/wait.js';
import { findAkte } from '../db/queries/akte.js';
import { client, db, postboxUrl, testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';

interface ShownStatus {
  applicationId: string;
  status: string;
  statusDetails: { de: string };
  publicServiceName: { de: string };
  senderName: string;
}
type StoredNotice = { recipient: string; notice: ForwardedNotice };

const statusMessagesOf = async (recipient: string): Promise<ShownStatus[]> =>
  (await fetch(`${postboxUrl}/postbox/${encodeURIComponent(recipient)}/status-messages`)).json() as Promise<
    ShownStatus[]
  >;

/** The case's status messages once the applicant has been told that action is required. */
const untilActionRequired = (recipient: string, caseId: string): Promise<ShownStatus[]> =>
  eventually(async () => {
    const mine = (await statusMessagesOf(recipient)).filter((m) => m.applicationId === caseId);
    return mine.some((m) => m.status === 'ACTION_REQUIRED') ? mine : undefined;
  }, 'the ACTION_REQUIRED status message');

describe('status messages and forwarding', () => {
  let forwarding: { url: string; stop(): Promise<void> };
  const noticesOf = async (recipient: string): Promise<StoredNotice[]> =>
    (await fetch(`${forwarding.url}/recipients/${recipient}/notices`)).json() as Promise<StoredNotice[]>;

  beforeAll(async () => {
    forwarding = await startForwardingSandbox({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => forwarding.stop());

  it('an approved Gewerbeanmeldung: received, decided and delivered reach the postbox once each, and each named recipient gets the notice once', async () => {
    const submission = gewerbeApplication('craft', 31);
    const { caseId, result } = await withWorker(
      async ({ cases }) => {
        const { caseId } = await cases.submit({ ...submission, deadlines: { paymentPollMs: 400 } });
        return { caseId, result: await cases.result(caseId) };
      },
      { forwarding: new HttpForwarding(forwarding.url) },
    );
    expect(result.outcome).toBe('approved');

    const mine = (await statusMessagesOf(submission.identity.subject)).filter((m) => m.applicationId === caseId);
    expect(mine.map((m) => m.status)).toEqual(['RECEIVED', 'PROCESSING', 'COMPLETED']);
    expect(mine[1]!.statusDetails.de).toContain('stattgegeben');
    expect(
      mine.every(
        (m) =>
          m.publicServiceName.de === 'Gewerbeanmeldung (Beispiel)' && m.senderName === 'Stadt Musterstadt, Gewerbeamt',
      ),
    ).toBe(true);

    const recipients = result.decision?.forwardTo ?? [];
    expect(recipients).toEqual(expect.arrayContaining(['finanzamt', 'handwerkskammer']));
    const { aktenzeichen } = (await findAkte(db, { caseId }))!;
    for (const recipient of recipients) {
      const notices = (await noticesOf(recipient)).filter((n) => n.notice.gewerbeanzeige.aktenzeichen === aktenzeichen);
      expect(notices).toHaveLength(1);
      expect(notices[0]!.notice).toMatchObject({
        nachrichtenkopf: {
          leser: recipient,
          autor: 'Stadt Musterstadt, Gewerbeamt',
          nachrichtentyp: 'gewerbeanzeige.anmeldung',
        },
        gewerbeanzeige: {
          anzeigeart: 'Anmeldung',
          betrieb: submission.application['business'],
          gewerbetreibender: { pseudonym: submission.identity.subject },
        },
      });
    }
    // A recipient the rules did not name gets nothing.
    expect(recipients).not.toContain('ihk');
    expect(
      (await noticesOf('ihk')).filter(
        (n) => n.notice.gewerbeanzeige.gewerbetreibender.pseudonym === submission.identity.subject,
      ),
    ).toEqual([]);
  });

  it('documents needed: the applicant is told that action is required', async () => {
    const submission = { ...applicationOf('resident', 6), consent: { evidenceRetrieval: false } };
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit(submission);
      const shown = await untilActionRequired(submission.identity.subject, caseId);
      expect(shown.map((m) => m.status)).toEqual(['RECEIVED', 'ACTION_REQUIRED']);
      await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
    });
  });

  it('a postbox down through the local attempts: the status message goes out once, then by an ordinary activity', async () => {
    // Status messages are local activities, tried four times within a minute; the postbox refuses all four here.
    const postbox = new HttpStatusChannel(postboxUrl);
    let refused = 0;
    const down: StatusChannel = {
      async send(d) {
        if (d.message.status === 'RECEIVED' && refused < 4) {
          refused++;
          throw new Error('postbox unavailable (test)');
        }
        return postbox.send(d);
      },
    };
    const submission = { ...applicationOf('resident', 7), consent: { evidenceRetrieval: false } };
    await withWorker(
      async ({ cases }) => {
        const { caseId } = await cases.submit(submission);
        const shown = await untilActionRequired(submission.identity.subject, caseId);
        expect(shown.map((m) => m.status)).toEqual(['RECEIVED', 'ACTION_REQUIRED']);
        expect(refused).toBe(4);
        // RECEIVED went out by the ordinary activity after the local attempts; ACTION_REQUIRED locally, at once.
        const history = await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
        const scheduled = history.events!.filter(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendStatusMessage',
        );
        expect(scheduled).toHaveLength(1);
        await client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test done');
      },
      { statusChannel: down },
    );
  });

  it('forwarding exactly once when the first answer is lost: the workflow retries, the recipient keeps one notice each', async () => {
    // In front of the stand-in: the first request per idempotency key reaches it, but its answer is lost (503).
    const attempts = new Map<string, number>();
    const body = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const lossy = createServer(async (req, res) => {
      const key = String(req.headers['idempotency-key'] ?? '');
      const upstream = await fetch(`${forwarding.url}${req.url}`, {
        method: req.method,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: req.method === 'POST' ? await body(req) : undefined,
      });
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (req.method === 'POST' && n === 1) return void res.writeHead(503).end();
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    await new Promise<void>((r) => lossy.listen(0, '127.0.0.1', r));
    try {
      const submission = gewerbeApplication('craft', 33);
      const { caseId, result } = await withWorker(
        async ({ cases }) => {
          const { caseId } = await cases.submit({ ...submission, deadlines: { paymentPollMs: 400 } });
          return { caseId, result: await cases.result(caseId) };
        },
        { forwarding: new HttpForwarding(`http://127.0.0.1:${(lossy.address() as AddressInfo).port}`) },
      );
      expect(result.outcome).toBe('approved');
      const recipients = result.decision?.forwardTo ?? [];
      expect(recipients.length).toBeGreaterThanOrEqual(2);
      const { aktenzeichen } = (await findAkte(db, { caseId }))!;
      for (const recipient of recipients) {
        const notices = (await noticesOf(recipient)).filter(
          (n) => n.notice.gewerbeanzeige.aktenzeichen === aktenzeichen,
        );
        expect(notices, recipient).toHaveLength(1);
      }
      // Every notice was sent at least twice (the lost answer, then the retry) and stored once.
      expect(attempts.size).toBe(recipients.length);
      expect([...attempts.values()].every((n) => n >= 2)).toBe(true);
    } finally {
      await new Promise<void>((r) => lossy.close(() => r()));
    }
  });

  it('a retried status message or forwarding sends nothing twice', async () => {
    const acts = createOutboundActivities(
      testDeps({ statusChannel: new HttpStatusChannel(postboxUrl), forwarding: new HttpForwarding(forwarding.url) }),
    );
    const caseId = randomUUID();
    const recipient = `pseudonym-retry-${caseId}`;
    const status = {
      caseId,
      serviceKey: '99050012104001',
      authorityId: 'stadt-musterstadt',
      recipient,
      milestone: 'received' as const,
      at: '2026-03-01T10:00:00Z',
    };
    const [first, second] = [await acts.sendStatusMessage(status), await acts.sendStatusMessage(status)];
    expect(second.messageId).toBe(first.messageId);
    expect(await statusMessagesOf(recipient)).toHaveLength(1);

    const forward = {
      caseId,
      serviceKey: '99050012104001',
      authorityId: 'stadt-musterstadt',
      applicantSubject: recipient,
      recipient: 'finanzamt',
      submittedAt: '2026-03-01T10:00:00Z',
      at: '2026-03-01T10:00:00Z',
      application: {
        business: { name: 'Retry GmbH' },
        address: { street: 'A 1', postalCode: '48143', city: 'Musterstadt' },
      },
      decision: {
        outcome: 'approve' as const,
        ruleSetVersion: '1',
        ruleSetHash: 'x',
        firedRules: [],
        facts: {},
        decidedBy: 'rules' as const,
        forwardTo: ['finanzamt'],
      },
    };
    const [a, b] = [await acts.forwardCase(forward), await acts.forwardCase(forward)];
    expect(b.receiptId).toBe(a.receiptId);
    expect(
      (await noticesOf('finanzamt')).filter((n) => n.notice.gewerbeanzeige.betrieb['name'] === 'Retry GmbH'),
    ).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSubmissionFacts } from '../adapters/fit-connect/submission-facts.js';
import { activityDeps } from '../app/adapters.js';
import { caseIdFromKey } from '../client/case-client.js';
import { listDeliveries } from '../db/queries/deliveries.js';
import { startPostboxSandbox } from '../dev/stand-ins/postbox/server.js';
import { dataDir, db, sealKeys, testApi, testDeps, withWorker } from './harness.js';
import { applicantToken } from './http-helpers.js';
import { applicationOf } from './samples.js';

// An applicant who chose e-mail as the FIT-Connect reply channel gets the Bescheid as a mail with a download link,
// through the adapters the worker builds from configuration (MAIL_GATEWAY_URL), and downloads it as themselves.

const box = await startPostboxSandbox({ host: '127.0.0.1', port: 0 });
afterAll(() => box.stop());

interface Mail {
  to: string;
  subject: string;
  text: string;
}
const mailsTo = async (address: string): Promise<Mail[]> =>
  (await fetch(`${box.url}/mails/${encodeURIComponent(address)}`)).json() as Promise<Mail[]>;

describe('the reply channel e-mail', () => {
  it('sends the Bescheid as a download link once, and only the applicant downloads it', async () => {
    const base = testDeps();
    const configured = activityDeps(dataDir, db, base.registers, {
      publicBaseUrl: 'https://amt.example',
      postboxUrl: box.url,
      mailGatewayUrl: box.url,
      sealKeys,
      payments: base.payments,
    });
    const submission = { ...applicationOf('resident', 5), idempotencyKey: randomUUID() };
    const caseId = caseIdFromKey(submission.identity.subject, submission.idempotencyKey);
    const address = `antrag-${caseId.slice(0, 8)}@example.org`;
    await new DatabaseSubmissionFacts(db).record(caseId, { replyChannel: { kind: 'eMail', address } });

    await withWorker(
      async ({ cases }) => {
        await cases.submit(submission);
        const result = await cases.result(caseId);
        expect(result.outcome).toBe('approved');
        expect(result.delivery).toMatchObject({ status: 'delivered', channel: 'email' });
        const sha256 = result.bescheid.document.sha256;

        const mails = await mailsTo(address);
        const bescheid = mails.filter((m) => m.subject.startsWith('Bescheid'));
        expect(bescheid).toHaveLength(1);
        const link = `https://amt.example/cases/${caseId}/documents/${sha256}`;
        expect(bescheid[0]!.text).toContain(link);
        // The document itself never travels in the mail, and nothing went to the postbox for this case.
        expect(bescheid[0]!.text).not.toContain('%PDF');
        expect(await listDeliveries(db, { caseId })).toEqual([expect.objectContaining({ documentSha256: sha256 })]);
        const postbox = await (await fetch(`${box.url}/postbox/${submission.identity.subject}`)).json();
        expect(postbox).toEqual([]);

        const api = await testApi(cases, { verification: { db, documents: base.documents, sealKeys } });
        const path = new URL(link).pathname;
        const own = await api.inject({
          url: path,
          headers: { authorization: `Bearer ${await applicantToken(submission.identity.subject)}` },
        });
        expect(own.statusCode).toBe(200);
        expect(own.headers['content-type']).toBe('application/pdf');
        expect(own.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
        const stranger = await api.inject({
          url: path,
          headers: { authorization: `Bearer ${await applicantToken('someone-else')}` },
        });
        expect([403, 404]).toContain(stranger.statusCode);
        const undelivered = await api.inject({
          url: `/cases/${caseId}/documents/${'0'.repeat(64)}`,
          headers: { authorization: `Bearer ${await applicantToken(submission.identity.subject)}` },
        });
        expect(undelivered.statusCode).toBe(404);
        await api.close();
      },
      { postbox: configured.postbox, statusChannel: configured.statusChannel },
    );
  });
});

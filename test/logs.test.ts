import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtVerifier } from '../platform/auth/tokens.js';
import type { CaseClient, SubmitApplication } from '../client/case-client.js';
import { buildHttpApi } from '../http/http-api.js';
import type { StaffActor } from '../workflows/contracts/task.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { OidcTokenVerifier } from '../platform/identity/token-verifier.js';
import { intakeNotUnderTest, withWorker } from './harness.js';
import { applicantToken, call, idp, submitOverHttp, tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { captureLogs, testLogger } from './support/log-capture.js';
import { eventually } from './support/wait.js';

const REPLY = 'Vertrag anbei; Erika Mustermann, erika.mustermann@example.org';
const worker: StaffActor = { id: 'sb.log', role: 'case_worker', authorityId: 'stadt-musterstadt' };

function personalValues(subs: SubmitApplication[]): string[] {
  const values = new Set<string>([REPLY, 'Erika Mustermann', 'erika.mustermann@example.org']);
  for (const s of subs) {
    const a = s.application as Record<string, any>;
    for (const v of [a.address?.street, a.licensePlate, a.iban, a.business?.name, a.invoice?.number])
      if (v) values.add(String(v));
  }
  return [...values];
}

describe('logs', () => {
  it("a batch over the HTTP API and the worker logs JSON lines with none of the applicants' values; a 5xx carries its request id", async () => {
    const submissions = [
      applicationOf('resident', 11),
      applicationOf('company_car', 11),
      lastenradApplication('eligible', 11),
      gewerbeApplication('retail', 11),
    ];
    const values = personalValues(submissions);
    const stop = captureLogs();
    let failedRequestId = '';
    let lines: string[] = [];
    try {
      await withWorker(async (e) => {
        const api = await buildHttpApi({
          cases: e.cases,
          tasks: e.tasks,
          auth: jwtVerifier(tokens.keys, tokenAudience),
          identity: new OidcTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
          logger: testLogger,
        });
        const ids = await Promise.all(
          submissions.map(async (s) => {
            const res = await submitOverHttp(api, s);
            expect(res.status).toBe(202);
            return { s, caseId: res.body.caseId as string };
          }),
        );
        const escalated = ids[1]!;
        const { openTaskId } = await eventually(async () => {
          const st = await e.cases.status(escalated.caseId);
          return st.status === 'awaiting_case_worker' && st.openTaskId ? st : undefined;
        }, 'the escalation');
        await e.tasks.act(escalated.caseId, { action: 'claim', taskId: openTaskId!, actor: worker });
        const view = await e.tasks.act(escalated.caseId, {
          action: 'ask',
          taskId: openTaskId!,
          actor: worker,
          kind: 'question',
          text: 'Bitte erläutern.',
        });
        const applicant = await applicantToken(escalated.s.identity.subject);
        const replied = await call(api, 'POST', `/cases/${escalated.caseId}/replies`, applicant, {
          questionId: view.openQuestion!.questionId,
          answer: REPLY,
        });
        expect(replied.status).toBe(200);
        await e.tasks.act(escalated.caseId, {
          action: 'complete',
          taskId: openTaskId!,
          actor: worker,
          outcome: 'approve',
          justification: 'Belegt.',
        });
        await Promise.all(ids.map(({ caseId }) => e.cases.result(caseId)));
        await api.close();

        // A failure deep inside quotes the applicant's street: the log keeps the request id and the error's kind, not its message.
        const street = (submissions[0]!.application['address'] as { street: string }).street;
        const broken = {
          status: () => Promise.reject(new Error(`lookup failed for ${street}`)),
          view: () => Promise.reject(new Error(`lookup failed for ${street}`)),
        } as unknown as CaseClient;
        const failing = await buildHttpApi({
          cases: broken,
          tasks: e.tasks,
          auth: jwtVerifier(tokens.keys, tokenAudience),
          identity: intakeNotUnderTest,
          logger: testLogger,
        });
        const res = await failing.inject({
          method: 'GET',
          url: `/cases/${randomUUID()}`,
          headers: { authorization: `Bearer ${applicant}` },
        });
        expect(res.statusCode).toBe(500);
        failedRequestId = String(res.headers['x-request-id']);
        await failing.close();
      });
      // Redaction by field name, for whatever a future log line carries.
      testLogger.info(
        { submission: submissions[3], nested: { deeper: { application: submissions[2]!.application } } },
        'redaction check',
      );
    } finally {
      lines = stop();
    }

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(parsed.filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(submissions.length + 1);
    expect(parsed.some((l) => l.workflowType === 'caseWorkflow' || l.activityType)).toBe(true);
    const serverError = parsed.find((l) => l.requestId === failedRequestId && l.level === 50);
    expect(serverError).toMatchObject({ status: 500, route: '/cases/:caseId', err: { type: 'Error' } });
    expect(parsed.find((l) => l.msg === 'redaction check')).toMatchObject({
      submission: { application: '[redacted]' },
      nested: { deeper: { application: '[redacted]' } },
    });
    const all = lines.join('\n');
    expect(values.filter((v) => all.includes(v))).toEqual([]);
  });
});

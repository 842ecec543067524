import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SubmitApplication } from '../client/case-client.js';
import { QuestionClient } from '../client/question-client.js';
import type { StaffActor } from '../workflows/contracts/task.js';
import { gewerbeApplication, lastenradApplication } from '../dev/demo/sample-other-services.js';
import { client, withWorker, type TestEngine } from './harness.js';
import { applicationOf } from './samples.js';
import { assistantAt } from './support/assistant.js';
import { testDataConverter } from './support/codec.js';
import { LlmStub } from './support/llm-stub.js';
import { eventually } from './support/wait.js';

let stub: LlmStub;
let raw: Connection;
beforeAll(async () => {
  stub = await LlmStub.start();
  stub.script({ kind: 'reply', content: 'Ihr Antrag wird bearbeitet.' });
  raw = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await raw.close();
  await stub.stop();
});

const REPLY = 'Arbeitsvertrag anbei; Erika Mustermann, erika.mustermann@example.org, Tel. 0251 4711';
const QUESTION = 'Wann kommt mein Bescheid? Ich heiße Jonas Beispielmann, jonas.b@example.org';
const JUSTIFICATION = 'Private Nutzung durch Frau Mustermann belegt (Vertrag vom 1.3.).';
const History = proto.temporal.api.history.v1.History;

/** Every value of the applicants that must never be readable in Temporal. */
function personalValues(subs: SubmitApplication[]): string[] {
  const values = new Set<string>([
    REPLY,
    'Erika Mustermann',
    'erika.mustermann@example.org',
    'Jonas Beispielmann',
    'jonas.b@example.org',
    QUESTION,
    JUSTIFICATION,
  ]);
  for (const v of applicationValues(subs)) values.add(v);
  for (const s of subs) {
    const city = (s.application as { address?: { city?: string } }).address?.city;
    if (city) values.add(city);
  }
  return [...values];
}

/** What applicants wrote into their applications and the names they are addressed by: the Akte holds them (claim-check). */
function applicationValues(subs: SubmitApplication[]): string[] {
  const values = new Set<string>();
  for (const s of subs) {
    const a = s.application as Record<string, any>;
    // Not the city: the applicants live where the authority is, and the authority's name (Stadt Musterstadt) travels.
    for (const v of [a.address?.street, a.licensePlate, a.iban, a.business?.name, a.invoice?.number])
      if (v) values.add(String(v));
    if (s.identity.name) values.add(s.identity.name.familyName);
  }
  return [...values];
}

/** Runs each case to its end; every escalation is decided by a case worker, the first after a question to the applicant. */
async function runToEnd(e: TestEngine, caseId: string, subject: string, ask: boolean): Promise<void> {
  const actors: StaffActor[] = ['sb.erste', 'sb.zweite'].map((id) => ({
    id,
    role: 'case_worker',
    authorityId: 'stadt-musterstadt',
  }));
  for (let round = 0; ; round++) {
    const state = await eventually(
      async () => {
        const s = await e.cases.status(caseId);
        return s.status === 'closed' || (s.status === 'awaiting_case_worker' && s.openTaskId) ? s : undefined;
      },
      `case ${caseId} to close or wait for a case worker`,
      40_000,
    );
    if (state.status === 'closed') return;
    const actor = actors[round % 2]!;
    const taskId = state.openTaskId!;
    await e.tasks.act(caseId, { action: 'claim', taskId, actor });
    if (ask && round === 0) {
      const view = await e.tasks.act(caseId, {
        action: 'ask',
        taskId,
        actor,
        kind: 'document',
        text: 'Bitte Arbeitsvertrag nachreichen.',
      });
      await e.tasks.reply(caseId, { questionId: view.openQuestion!.questionId, subject, answer: REPLY });
    }
    await e.tasks.act(caseId, { action: 'complete', taskId, actor, outcome: 'approve', justification: JUSTIFICATION });
  }
}

/** Every payload in a history (inputs, results, signals, updates, memo, failures) but search attributes, which stay clear. */
function payloadsOf(
  node: unknown,
  out: Array<{ at: string; payload: Payload }> = [],
  at = '',
): Array<{ at: string; payload: Payload }> {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return out;
  if (
    'data' in node &&
    'metadata' in node &&
    (node as Payload).metadata &&
    typeof (node as Payload).metadata === 'object'
  )
    out.push({ at, payload: node as Payload });
  for (const [k, v] of Object.entries(node)) if (k !== 'searchAttributes') payloadsOf(v, out, `${at}.${k}`);
  return out;
}

describe('personal data in Temporal', () => {
  it("a batch's raw histories hold none of the applicants' values, and decoded none of their applications (claim-check); search attributes carry none", async () => {
    const submissions = [
      applicationOf('resident', 5),
      applicationOf('other_zone', 5),
      applicationOf('company_car', 5),
      lastenradApplication('eligible', 7),
      lastenradApplication('expensive', 7),
      gewerbeApplication('retail', 7),
      gewerbeApplication('permit_trade', 7),
    ];
    submissions[0]!.identity = {
      ...submissions[0]!.identity,
      name: { givenName: 'Hannelore', familyName: 'Kleinschmidt' },
    };
    const taskQueue = await withWorker(
      async (e) => {
        const started = await Promise.all(
          submissions.map(async (s) => ({ s, caseId: (await e.cases.submit(s)).caseId })),
        );
        const questions = new QuestionClient(client, e.taskQueue);
        const asked = started[0]!;
        const { questionId } = await questions.ask(asked.caseId, {
          recipient: asked.s.identity.subject,
          question: QUESTION,
        });
        await eventually(
          async () => ((await questions.state(asked.caseId, questionId)).draft ? true : undefined),
          'a draft answer',
        );
        await questions.confirm(asked.caseId, questionId, {
          caseWorker: 'sb.erste',
          text: `Guten Tag, ${'Jonas Beispielmann'}: bald.`,
        });
        expect((await questions.result(asked.caseId, questionId)).status).toBe('delivered');
        await Promise.all(
          started.map(({ s, caseId }) => runToEnd(e, caseId, s.identity.subject, s === submissions[2])),
        );
        return e.taskQueue;
      },
      { assistant: assistantAt(stub.url) },
    );

    const plain = new Client({ connection: raw });
    // The raw list: search attributes as stored (never encoded), memo as stored.
    const { executions } = await raw.workflowService.listWorkflowExecutions({
      namespace: 'default',
      query: `TaskQueue = "${taskQueue}"`,
      pageSize: 100,
    });
    // Cases, the question beside one, and the child workflows they started.
    expect(executions.length).toBeGreaterThan(submissions.length);
    const values = personalValues(submissions);
    expect(values.length).toBeGreaterThan(15);

    let payloadCount = 0;
    const decodedText: string[] = [];
    for (const w of executions) {
      const workflowId = w.execution!.workflowId!;
      const history = await plain.workflow.getHandle(workflowId, w.execution!.runId!).fetchHistory();
      const bytes = Buffer.from(History.encode(History.fromObject(history)).finish());
      const found = values.filter(
        (v) =>
          bytes.includes(Buffer.from(v, 'utf8')) || bytes.includes(Buffer.from(JSON.stringify(v).slice(1, -1), 'utf8')),
      );
      expect(found, `clear text in ${workflowId}`).toEqual([]);
      const payloads = payloadsOf(history);
      payloadCount += payloads.length;
      // Marker bookkeeping written by the SDK's core (local activity type and attempt, patch ids) is the one clear part.
      const bookkeeping = /\.markerRecordedEventAttributes\.details\.(data|patch-data)\./;
      const clear = payloads.filter(
        (p) =>
          !bookkeeping.test(p.at) && Buffer.from(p.payload.metadata!['encoding']!).toString() !== 'binary/encrypted',
      );
      expect(
        clear.map((p) => p.at),
        `payloads of ${workflowId} not encrypted`,
      ).toEqual([]);
      // Control: the same payloads decode, with the engine's codec, to the values the scan looked for.
      for (const p of await testDataConverter.payloadCodecs![0]!.decode(payloads.map((p) => p.payload)))
        decodedText.push(Buffer.from(p.data ?? []).toString('utf8'));
      const fields = Object.values(w.searchAttributes?.indexedFields ?? {});
      // A case starts with its search attributes; a workflow beside it (question, summary, Bekanntgabe) has only what
      // the server adds once a worker completed its first task (BuildIds), which a just-started one may not have yet.
      if (/^case:[^:]+$/.test(workflowId))
        expect(fields.length, `search attributes of ${workflowId}`).toBeGreaterThan(3);
      const attributes = JSON.stringify(fields.map((f) => defaultPayloadConverter.fromPayload(f)));
      expect(
        values.filter((v) => attributes.includes(v)),
        `search attributes of ${workflowId}`,
      ).toEqual([]);
      for (const s of submissions) expect(attributes).not.toContain(s.identity.subject);
    }
    expect(payloadCount).toBeGreaterThan(executions.length * 10);
    const decoded = decodedText.join('\n');
    const inDecoded = (v: string) => decoded.includes(JSON.stringify(v).slice(1, -1));
    // What people say in a case (question, reply, justification) is a fact its steps need: it travels, encrypted,
    // and decodes to what the scan looked for (the control that the scan finds what is there).
    const application = applicationValues(submissions);
    expect(values.filter((v) => !application.includes(v) && !inDecoded(v))).toEqual([]);
    // The application itself and the applicant's name are not in the histories at all, not even encrypted: the
    // workflow carries the Akte's reference, and each step reads what it needs from the Akte.
    expect(application.length).toBeGreaterThan(10);
    expect(application.filter(inDecoded)).toEqual([]);
  });
});

import type { CaseClient } from '../../client/case-client.js';
import { createCaseEngineClient, type Problem } from '../../client/http/index.js';
import type { CaseOutcome, IdentityAssertion } from '../../workflows/contracts/case.js';
import { expectedDemoOutcome, type DemoApplication } from './sample-mix.js';
import { CONSENT_FIELD, fitConnectCaseId, fitConnectSchemaUri } from '../../http/fit-connect/receiver.js';
import { findService } from '../../services/catalogue.js';
import { leikaUrn } from '../../services/routing.js';
import type { FitConnectSender } from '../stand-ins/fit-connect/sender.js';
import type { TestEidService } from '../stand-ins/fit-connect/test-pki.js';

export interface BatchCase {
  caseId: string;
  kind: DemoApplication['kind'];
  serviceKey: string;
  outcome?: CaseOutcome;
  /** Refused at intake with this problem code; no case was started. */
  refusedAtIntake?: string;
  /** How the application arrived: the engine's HTTP API, or FIT-Connect through the delivery service. */
  channel: 'http' | 'fit-connect';
  error?: string;
  latencyMs: number;
}

/** Gets each applicant an identity token, submits every application over the HTTP API, then waits for each case to close. */
export async function runBatch(o: {
  httpUrl: string;
  cases: CaseClient;
  applications: DemoApplication[];
  tokenFor: (identity: IdentityAssertion) => Promise<string>;
  onClosed?: (done: number, total: number) => void;
  /** Called with each case the batch started, before it waits for the result (the demo bot acts only on these). */
  onStarted?: (caseId: string) => void;
  /** Sends the applications this picks over FIT-Connect (an online service's sender, through the delivery service). */
  fitConnect?: {
    sender: FitConnectSender;
    destinationId: string;
    /** The eID service stand-in whose signed identification reports the online service attaches. */
    eid: TestEidService;
    picks: (index: number) => boolean;
  };
}): Promise<BatchCase[]> {
  let done = 0;
  const api = createCaseEngineClient(o.httpUrl);
  return Promise.all(
    o.applications.map(async (a, index): Promise<BatchCase> => {
      const started = performance.now();
      const { identity, ...rest } = a.submission;
      if (o.fitConnect?.picks(index)) {
        const report = await o.fitConnect.eid.report(
          { restrictedId: identity.subject, ...identity.name },
          { levelOfAssurance: `http://eidas.europa.eu/LoA/${identity.trustLevel}` },
        );
        const c = await viaFitConnect(o.fitConnect, a, report, {
          ...o,
          answerHearing: (caseId) => answerHearing(o.cases, caseId, identity.subject),
        });
        o.onClosed?.(++done, o.applications.length);
        return { ...c, latencyMs: performance.now() - started };
      }
      const base = { kind: a.kind, serviceKey: rest.serviceKey, channel: 'http' as const };
      const { data, error, response } = await api.POST('/cases', {
        body: {
          serviceKey: rest.serviceKey,
          authorityId: rest.authorityId,
          identityToken: await o.tokenFor(identity),
          application: rest.application,
          consent: rest.consent,
        },
      });
      const problem = error as Problem | undefined;
      if (response.status === 403 || response.status === 422) {
        o.onClosed?.(++done, o.applications.length);
        return {
          ...base,
          caseId: '-',
          outcome: 'refused',
          refusedAtIntake: problem?.code,
          latencyMs: performance.now() - started,
        };
      }
      if (response.status !== 202 || !data) {
        o.onClosed?.(++done, o.applications.length);
        return {
          ...base,
          caseId: '-',
          error: `HTTP ${response.status}: ${problem?.detail ?? ''}`,
          latencyMs: performance.now() - started,
        };
      }
      const body = data;
      try {
        o.onStarted?.(body.caseId);
        const replying = answerHearing(o.cases, body.caseId, identity.subject);
        const result = await o.cases.result(body.caseId);
        await replying;
        return { ...base, caseId: body.caseId, outcome: result.outcome, latencyMs: performance.now() - started };
      } catch (err) {
        return { ...base, caseId: body.caseId, error: (err as Error).message, latencyMs: performance.now() - started };
      } finally {
        o.onClosed?.(++done, o.applications.length);
      }
    }),
  );
}

/**
 * One application through FIT-Connect: encrypted for the destination and submitted to the delivery service; the
 * engine's receiver picks it up (callback or poll) and answers with an accept or reject event in the case's event log.
 */
async function viaFitConnect(
  fc: NonNullable<Parameters<typeof runBatch>[0]['fitConnect']>,
  a: DemoApplication,
  identificationReport: string,
  o: { cases: CaseClient; onStarted?: (caseId: string) => void; answerHearing: (caseId: string) => Promise<void> },
): Promise<Omit<BatchCase, 'latencyMs'>> {
  const { serviceKey, application, consent } = a.submission;
  const base = { kind: a.kind, serviceKey, channel: 'fit-connect' as const };
  try {
    const service = findService(serviceKey);
    const sent = await fc.sender.submit({
      destinationId: fc.destinationId,
      serviceIdentifier: leikaUrn(serviceKey),
      serviceName: service.name,
      // The application as the published data schema has it; the consent is its declaration field.
      data: { ...application, ...(consent && { [CONSENT_FIELD]: consent.evidenceRetrieval }) },
      schemaUri: fitConnectSchemaUri(serviceKey, service.currentSchemaVersion),
      identificationReport,
    });
    const until = Date.now() + 120_000;
    let decision = await fc.sender.decision(sent.caseId);
    while (!decision && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      decision = await fc.sender.decision(sent.caseId);
    }
    if (!decision) return { ...base, caseId: '-', error: 'no accept or reject event within two minutes' };
    if (decision.event === 'rejected') {
      const type = decision.problems?.[0]?.type ?? '';
      return { ...base, caseId: '-', outcome: 'refused', refusedAtIntake: type.replace(/^.*\/problems\//, '') };
    }
    const caseId = fitConnectCaseId(fc.destinationId, sent.submissionId);
    o.onStarted?.(caseId);
    const replying = o.answerHearing(caseId);
    const result = await o.cases.result(caseId);
    await replying;
    return { ...base, caseId, outcome: result.outcome };
  } catch (err) {
    return { ...base, caseId: '-', error: (err as Error).message };
  }
}

/**
 * The applicant answers a hearing before a rejection (§ 28 VwVfG) as soon as its letter is out (through the same
 * update `POST /cases/{caseId}/hearing-statement` goes through, as the demo's case-worker bot acts through the task
 * client), so the case goes on to a case worker instead of waiting out the statement period (two weeks of legal days).
 * Returns when the statement is in, or the case closed without a hearing.
 */
async function answerHearing(cases: CaseClient, caseId: string, subject: string): Promise<void> {
  for (;;) {
    const state = await cases.view(caseId).catch(() => undefined);
    if (state?.status === 'closed' || state?.hearing?.status === 'closed') return;
    if (state?.hearing?.status === 'awaiting_statement') {
      const text = 'Ich wohne seit Kurzem in der Stadt; die Ummeldung ist beantragt (Demo).';
      const answered = await cases.submitHearingStatement(caseId, { subject, text, attachments: [] }).then(
        () => true,
        () => false,
      );
      if (answered) return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const isAsExpected = (c: BatchCase): boolean => !c.error && c.outcome === expectedDemoOutcome[c.kind];

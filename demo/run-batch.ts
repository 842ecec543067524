import type { CaseClient } from '../client/case-client.js';
import { createCaseEngineClient, type Problem } from '../packages/client/index.js';
import type { CaseOutcome, IdentityAssertion } from '../contracts/case.js';
import { expectedDemoOutcome, type DemoApplication } from './sample-mix.js';

export interface BatchCase {
  caseId: string;
  kind: DemoApplication['kind'];
  serviceKey: string;
  outcome?: CaseOutcome;
  /** Refused at intake with this problem code; no case was started. */
  refusedAtIntake?: string;
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
}): Promise<BatchCase[]> {
  let done = 0;
  const api = createCaseEngineClient(o.httpUrl);
  return Promise.all(
    o.applications.map(async (a): Promise<BatchCase> => {
      const started = performance.now();
      const { identity, ...rest } = a.submission;
      const base = { kind: a.kind, serviceKey: rest.serviceKey };
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
        const result = await o.cases.result(body.caseId);
        return { ...base, caseId: body.caseId, outcome: result.outcome, latencyMs: performance.now() - started };
      } catch (err) {
        return { ...base, caseId: body.caseId, error: (err as Error).message, latencyMs: performance.now() - started };
      } finally {
        o.onClosed?.(++done, o.applications.length);
      }
    }),
  );
}

export const isAsExpected = (c: BatchCase): boolean => !c.error && c.outcome === expectedDemoOutcome[c.kind];

import type { CaseClient } from '../client/case-client.js';
import type { CaseOutcome } from '../contracts/case.js';
import { expectedOutcome, type SampleApplication } from './sample-applications.js';

export interface BatchCase {
  caseId: string;
  kind: SampleApplication['kind'];
  outcome?: CaseOutcome;
  error?: string;
  latencyMs: number;
}

/** Submits every application over the HTTP API, then waits for each case to close. */
export async function runBatch(o: {
  httpUrl: string;
  cases: CaseClient;
  applications: SampleApplication[];
  /** A bearer token for the applicant with this subject. */
  token: (subject: string) => Promise<string>;
  onClosed?: (done: number, total: number) => void;
}): Promise<BatchCase[]> {
  let done = 0;
  return Promise.all(
    o.applications.map(async (a): Promise<BatchCase> => {
      const started = performance.now();
      const res = await fetch(`${o.httpUrl}/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await o.token(a.submission.identity.subject)}` },
        body: JSON.stringify(a.submission),
      });
      const body = (await res.json()) as { caseId?: string; detail?: string };
      if (res.status !== 202 || !body.caseId) {
        o.onClosed?.(++done, o.applications.length);
        return { caseId: '-', kind: a.kind, error: `HTTP ${res.status}: ${body.detail ?? ''}`, latencyMs: performance.now() - started };
      }
      try {
        const result = await o.cases.result(body.caseId);
        return { caseId: body.caseId, kind: a.kind, outcome: result.outcome, latencyMs: performance.now() - started };
      } catch (err) {
        return { caseId: body.caseId, kind: a.kind, error: (err as Error).message, latencyMs: performance.now() - started };
      } finally {
        o.onClosed?.(++done, o.applications.length);
      }
    }),
  );
}

export const isAsExpected = (c: BatchCase): boolean => !c.error && c.outcome === expectedOutcome[c.kind];

import type { CaseStatus } from '../../workflows/contracts/case.js';

export interface WaitOptions {
  /** The deadline: fails after this long. */
  timeoutMs?: number;
  /** Named in the timeout error. */
  what?: string;
  intervalMs?: number;
}

/** The one polling helper for tests: polls `probe` until it returns a value other than undefined, null or false, or the deadline passes. */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  o: WaitOptions = {},
): Promise<T> {
  const until = Date.now() + (o.timeoutMs ?? 20_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > until)
      throw new Error(`timed out after ${o.timeoutMs ?? 20_000} ms waiting for ${o.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 100));
  }
}

/** Waits until the workflow's query shows the case in a status. */
export async function waitForStatus(
  cases: { status(id: string): Promise<{ status: string }> },
  caseId: string,
  status: CaseStatus,
  o: WaitOptions = {},
): Promise<void> {
  await waitFor(async () => (await cases.status(caseId)).status === status, {
    timeoutMs: 30_000,
    what: `case ${caseId} to reach ${status}`,
    ...o,
  });
}

/** @deprecated use waitFor; kept so call sites read the same. */
export const eventually = <T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> =>
  waitFor(probe, { what, timeoutMs: ms });

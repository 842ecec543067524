import type { CaseStatus } from '../contracts/case.js';

/** Polls the workflow's query until the case reaches a status; tests only. */
export async function waitForStatus(cases: { status(id: string): Promise<{ status: string }> }, caseId: string, status: CaseStatus): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await cases.status(caseId)).status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} never reached ${status}`);
}

import type { CaseClient } from '../../client/case-client.js';
import { sampleApplications } from './sample-applications.js';

/**
 * One company-car application at Gemeinde Beispieldorf, whose tasks no demo bot takes: it waits in the workbench
 * for a person (and a second one, four-eyes). The idempotency key keeps a retried start to one case.
 */
export async function caseForWorkbench(cases: CaseClient, seed: number): Promise<string> {
  const sample = sampleApplications(200, seed).find((a) => a.kind === 'company_car')!;
  const { caseId } = await cases.submit({
    ...sample.submission,
    authorityId: 'gemeinde-beispieldorf',
    idempotencyKey: `demo-workbench-${seed}`,
  });
  return caseId;
}

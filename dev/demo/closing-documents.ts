import { join } from 'node:path';
import type { CaseClient } from '../../client/case-client.js';

/** Shows where to look at one finished case's sealed Bescheid, its delivery and its archive package. */
export async function printClosingDocuments(o: {
  cases: CaseClient;
  caseId?: string;
  dataDir: string;
  postboxUrl?: string;
}): Promise<void> {
  if (!o.caseId) return;
  const r = await o.cases.result(o.caseId);
  const sha = r.bescheid.document.sha256;
  const pdf = join(o.dataDir, 'documents', sha.slice(0, 2), sha);
  console.log(`Bescheid:     ${pdf}  (sealed; npm run verify -- ${pdf})`);
  console.log(`verify:       ${r.bescheid.verificationUrl}  (the QR code's address)`);
  if (o.postboxUrl)
    console.log(`postbox:      ${o.postboxUrl}/postbox/<applicant subject>  (delivery ${r.delivery.deliveryId})`);
  console.log(`archive:      npm run verify-archive -- ${r.archive.packageSha256}`);
  console.log(`event log:    npm run verify-events -- ${r.caseId} ${r.archive.packageSha256}`);
}

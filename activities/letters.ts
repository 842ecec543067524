import { effectKey } from '../workflows/contracts/ids.js';
import { addAkteDocument } from '../db/queries/akte.js';
import type { ActivityDeps } from './deps.js';

/**
 * A plain-text letter from the authority to the applicant: stored, delivered to the postbox once under the effect key
 * `case:<id>:<purpose>`, and filed in the Akte as `<id>:<purpose>` (kind `letter`). Each step is idempotent, so an
 * activity retried after any of them repeats none.
 */
export async function sendLetter(
  { db, documents, postbox }: Pick<ActivityDeps, 'db' | 'documents' | 'postbox'>,
  l: { caseId: string; recipient: string; purpose: string; subject: string; title: string; text: string },
): Promise<{ deliveryId: string }> {
  const document = await documents.put(Buffer.from(l.text, 'utf8'), 'text/plain; charset=utf-8');
  const d = await postbox.deliver({
    idempotencyKey: effectKey(l.caseId, l.purpose),
    caseId: l.caseId,
    recipient: l.recipient,
    subject: l.subject,
    document,
  });
  await addAkteDocument(db, {
    documentId: `${l.caseId}:${l.purpose}`,
    caseId: l.caseId,
    kind: 'letter',
    title: l.title,
    mediaType: document.mediaType,
    sha256: document.sha256,
    size: document.size,
    blobKey: document.sha256,
    authorRole: 'authority',
  });
  return { deliveryId: d.deliveryId };
}

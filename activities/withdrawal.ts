import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { addAkteDocument, findAkte } from '../db/queries/akte.js';
import { findService } from '../services/catalogue.js';
import type { ActivityDeps } from './deps.js';
import { sendLetter } from './letters.js';

export interface WithdrawalConfirmationInput {
  caseId: string;
  serviceKey: string;
  authorityId: string;
  /** Pseudonymous subject of the applicant; the postbox resolves the address. */
  recipient: string;
  declaredAt: string;
  reason?: string;
  /** The fee paid back, in cents, where the service declares a refund on withdrawal; absent otherwise. */
  refundedCents?: number;
  /** A fee was paid and the service keeps it on withdrawal. */
  feeKept?: boolean;
}

const de = (iso: string): string => new Date(iso).toLocaleDateString('de-DE', { timeZone: 'Europe/Berlin' });
const euro = (cents: number): string =>
  (cents / 100).toLocaleString('de-DE', { style: 'currency', currency: 'EUR' }).replace(/\u00a0/g, ' ');

/** The confirmation the applicant gets: plain German, no ids but the Aktenzeichen. */
export function renderWithdrawalConfirmation(l: {
  serviceName: string;
  authorityName: string;
  aktenzeichen: string;
  declaredAt: string;
  refundedCents?: number;
  feeKept?: boolean;
}): string {
  const fee =
    l.refundedCents !== undefined
      ? `Die bereits gezahlte Gebühr von ${euro(l.refundedCents)} wird Ihnen erstattet.`
      : l.feeKept
        ? 'Die bereits gezahlte Gebühr wird nicht erstattet, weil die Bearbeitung schon begonnen hatte.'
        : undefined;
  return [
    l.authorityName,
    '',
    `Bestätigung der Rücknahme Ihres Antrags „${l.serviceName}“ (Aktenzeichen ${l.aktenzeichen})`,
    '',
    'Guten Tag,',
    '',
    `Sie haben Ihren Antrag am ${de(l.declaredAt)} zurückgenommen. Das Verfahren ist damit beendet; ` +
      'über Ihren Antrag wird nicht mehr entschieden.',
    ...(fee ? ['', fee] : []),
    '',
    'Sie können jederzeit einen neuen Antrag stellen.',
    '',
    'Mit freundlichen Grüßen',
    l.authorityName,
    '',
  ].join('\n');
}

/** Effects of an application's withdrawal: the declaration in the Akte and the confirmation to the applicant, once each. */
export function createWithdrawalActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /** `confirmWithdrawal`: files the declaration and sends the confirmation to the postbox (its own effect key). */
    async confirmWithdrawal(i: WithdrawalConfirmationInput): Promise<{ deliveryId: string }> {
      const service = findService(i.serviceKey);
      const authority = service.authorities[i.authorityId];
      if (!authority) throw new Error(`authority ${i.authorityId} does not offer ${i.serviceKey}`);
      const akte = await findAkte(db, { caseId: i.caseId });
      const declaration = { declaredAt: i.declaredAt, ...(i.reason && { reason: i.reason }) };
      const json = canonicalize(declaration) ?? '{}';
      await addAkteDocument(db, {
        documentId: `${i.caseId}:withdrawal`,
        caseId: i.caseId,
        kind: 'withdrawal',
        title: `Rücknahme des Antrags am ${de(i.declaredAt)}`,
        mediaType: 'application/json',
        sha256: createHash('sha256').update(json).digest('hex'),
        size: Buffer.byteLength(json),
        content: declaration,
        authorRole: 'applicant',
        authorId: i.recipient,
      });
      const text = renderWithdrawalConfirmation({
        serviceName: service.name,
        authorityName: authority.name,
        aktenzeichen: akte?.aktenzeichen ?? i.caseId,
        declaredAt: i.declaredAt,
        refundedCents: i.refundedCents,
        feeKept: i.feeKept,
      });
      return sendLetter(deps, {
        caseId: i.caseId,
        recipient: i.recipient,
        purpose: 'withdrawal-confirmation',
        subject: `Bestätigung: Ihr Antrag „${service.name}“ ist zurückgenommen`,
        title: 'Bestätigung der Rücknahme',
        text,
      });
    },
  };
}

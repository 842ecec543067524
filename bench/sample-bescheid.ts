import type { BescheidContent } from '../adapters/documents/bescheid-pdf.js';

/** A Bescheid as the sample service issues it (approved, with a fee and a certificate page), numbered. */
export const sampleBescheid = (i: number): BescheidContent => ({
  caseId: `bench-${i}`,
  fileReference: `32.1-BPA/2026/${(0x1000_0000 + i).toString(16).toUpperCase()}`,
  authorityName: 'Stadt Musterstadt, Straßenverkehrsbehörde',
  authorityContact: 'Telefon 0251 123-0, verkehr@musterstadt.example',
  authorityAddress: 'Rathausplatz 1, 48143 Musterstadt',
  serviceName: 'Bewohnerparkausweis',
  legalBasis: '§ 45 Abs. 1b Nr. 2a StVO',
  addressee: { name: `Erika Mustermann ${i}`, street: 'Hauptstraße 5', postalCode: '48143', city: 'Musterstadt' },
  appliedAt: '2026-11-02T09:00:00.000Z',
  outcome: 'approved',
  decision: {
    outcome: 'approved',
    ruleSetVersion: '2026-01',
    ruleSetHash: 'a'.repeat(64),
    decidedBy: 'rules',
    firedRules: [
      { outcome: 'approved', reason: 'Hauptwohnsitz in der Parkzone', legalBasis: '§ 45 Abs. 1b StVO' },
      { outcome: 'approved', reason: 'Fahrzeug auf die antragstellende Person zugelassen', legalBasis: 'VwV-StVO' },
    ],
  } as unknown as BescheidContent['decision'],
  fee: { amountCents: 3050, status: 'paid', reference: `KZ-${i}` } as BescheidContent['fee'],
  legalRemedy: 'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.',
  issuedAt: '2026-11-05T10:00:00.000Z',
  certificate: {
    title: 'Bewohnerparkausweis',
    fields: [
      ['Kennzeichen', `MS-AB ${1000 + i}`],
      ['Zone', 'B'],
    ],
    validUntil: '05.11.2027',
  },
});

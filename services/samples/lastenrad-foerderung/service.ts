import { addressSchema } from '../../address-schema.js';
import { daysBetween, evidenceOf, postalCodeInMunicipality } from '../../fact-helpers.js';
import { defineService } from '../../define-service.js';
import { FEDERAL_BEKANNTGABE, FEDERAL_CORRECTION } from '../../legal-time.js';

const PROGRAMME_START = '2026-01-01';

/** EXAMPLE service, simplified: a municipal grant for buying a cargo bike (Förderung eines Lastenrads). Its authorities are data: authorities.json. */
export const lastenradFoerderung = defineService({
  key: '99123456789001',
  name: 'Förderung eines Lastenrads (Beispiel)',
  legalBasis: 'Förderrichtlinie Lastenräder Musterstadt (Beispiel)',
  minimumTrustLevel: 'substantial',
  representationAllowed: true,
  currentSchemaVersion: '1',
  schemas: {
    '1': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['bike', 'invoice', 'address', 'iban'],
      properties: {
        bike: {
          type: 'object',
          additionalProperties: false,
          required: ['model', 'type'],
          properties: {
            model: { type: 'string', minLength: 1, maxLength: 120 },
            type: { enum: ['zweirad', 'dreirad', 'anhaenger'] },
            electric: { type: 'boolean' },
          },
        },
        invoice: {
          type: 'object',
          additionalProperties: false,
          required: ['number', 'date', 'amountCents'],
          properties: {
            number: { type: 'string', pattern: '^[A-Z0-9-]{3,40}$' },
            date: { type: 'string', format: 'date' },
            amountCents: { type: 'integer', minimum: 1, maximum: 2_000_000 },
          },
        },
        address: addressSchema,
        iban: { type: 'string', format: 'iban' },
      },
    },
  },
  evidence: [
    {
      evidenceType: 'residence',
      register: 'population',
      purpose: 'Wohnsitz in der Stadt prüfen',
      document: 'Meldebescheinigung',
      consentRequired: true,
      uploadAllowed: false,
      ifMissing: { ask: 'case_worker' },
    },
    {
      evidenceType: 'invoice',
      register: 'uploads',
      purpose: 'Kauf des Lastenrads belegen',
      document: 'Rechnung über das Lastenrad',
      consentRequired: false,
      uploadAllowed: true,
      ifMissing: { ask: 'applicant', afterDeadline: 'close_incomplete' },
    },
  ],
  fee: { timing: 'payout' },
  ruleSet: { id: 'lastenrad-foerderung', versions: [{ version: '1', validFrom: '2026-01-01' }] },
  escalation: { fourEyes: true, candidateGroup: 'foerderung' },
  outputs: { documents: ['bescheid'], forwardingRecipients: [] },
  retentionYears: 10,
  // § 41 VwVfG (Bekanntgabe), §§ 68-74 VwGO (remedy), as federal law words them; a Land with its own VwVfG
  // may differ (e.g. the date it moved the postal fiction from three to four days). An unretrieved grant is provided
  // in the postbox once more before the post office sends it (§ 41 Abs. 2a Satz 5 VwVfG).
  lifecycle: {
    bekanntgabe: {
      ...FEDERAL_BEKANNTGABE,
      postbox: { ...FEDERAL_BEKANNTGABE.postbox, ifNotRetrieved: 'repeat_provision', repeatProvisions: 1 },
    },
    objection: {
      procedure: 'widerspruch',
      period: { months: 1 },
      periodWithoutInstruction: { years: 1 },
      // Each city's objection office decides what the deciding office does not remedy; where the next higher authority
      // decides (§ 73 Abs. 1 Satz 2 Nr. 1 VwGO), `authorityId` names it.
      authority: { group: 'widerspruchsstelle' },
      court: 'Verwaltungsgericht Münster, Piusallee 38, 48147 Münster',
    },
    correction: FEDERAL_CORRECTION,
    // § 28 Abs. 1 VwVfG: a rejection first hears the applicant, two weeks from the letter (the authority's practice).
    hearing: {
      beforeRejection: true,
      statementPeriod: { weeks: 2 },
      exceptions: [
        {
          ruleId: 'not-a-cargo-bike',
          why:
            'Die Ablehnung beruht allein auf der von Ihnen eingereichten Rechnung; von Ihren tatsächlichen Angaben ' +
            'wird nicht zu Ihren Ungunsten abgewichen (§ 28 Abs. 2 Nr. 3 VwVfG).',
        },
      ],
    },
  },
  retention: { runsFrom: 'last_payment', disposal: 'offer_to_archive' },
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Stadt Musterstadt, Amt für Mobilität, einzulegen.',
  intakeFacts({ application, authority, submittedOn }) {
    const invoice = application['invoice'] as { date?: string; amountCents?: number } | undefined;
    const sinceInvoice = daysBetween(invoice?.date, submittedOn);
    const sinceStart = daysBetween(PROGRAMME_START, invoice?.date);
    return {
      postalCodeInMunicipality: postalCodeInMunicipality(application, authority),
      invoiceDateNotAfterSubmission: sinceInvoice === null ? null : sinceInvoice >= 0,
      invoiceDateInProgramme: sinceStart === null ? null : sinceStart >= 0,
      invoiceAmountCents: invoice?.amountCents ?? null,
    };
  },
  decisionFacts(application, evidence) {
    const residence = evidenceOf(evidence, 'residence');
    const invoice = evidenceOf(evidence, 'invoice');
    const claimed = application['invoice'] as { amountCents?: number } | undefined;
    return {
      residenceStatus: residence.status,
      invoiceStatus: invoice.status,
      invoiceMatches: invoice.facts
        ? invoice.facts['amountCents'] === claimed?.amountCents && invoice.facts['buyerMatches'] === true
        : null,
      cargoBike: invoice.facts ? invoice.facts['cargoBike'] === true : null,
      invoiceAmountCents: claimed?.amountCents ?? null,
    };
  },
});

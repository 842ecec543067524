import { addressSchema } from '../../address-schema.js';
import { daysBetween, evidenceOf, postalCodeInMunicipality } from '../../fact-helpers.js';
import { defineService } from '../../define-service.js';
import { FEDERAL_BEKANNTGABE } from '../../legal-time.js';

/** EXAMPLE service, simplified: registering a business (Gewerbeanmeldung, § 14 GewO). Its authorities are data: authorities.json. */
export const gewerbeanmeldung = defineService({
  key: '99050012104001',
  name: 'Gewerbeanmeldung (Beispiel)',
  legalBasis: '§ 14 GewO',
  minimumTrustLevel: 'substantial',
  representationAllowed: true,
  currentSchemaVersion: '1',
  schemas: {
    '1': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['business', 'address'],
      properties: {
        business: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'activity', 'tradeCategory', 'startDate', 'employees'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            activity: { type: 'string', minLength: 3, maxLength: 500 },
            tradeCategory: {
              enum: ['einzelhandel', 'handwerk', 'it-dienstleistung', 'gastronomie', 'bewachung', 'immobilienmakler'],
            },
            startDate: { type: 'string', format: 'date' },
            employees: { type: 'integer', minimum: 0, maximum: 100_000 },
          },
        },
        address: addressSchema,
      },
    },
  },
  evidence: [
    {
      evidenceType: 'trade_prohibition',
      register: 'gzr',
      purpose: 'Gewerbeuntersagung im Gewerbezentralregister prüfen',
      document: 'Auskunft aus dem Gewerbezentralregister',
      consentRequired: false,
      uploadAllowed: false,
      ifMissing: { ask: 'case_worker' },
    },
    {
      evidenceType: 'trade_permit',
      register: 'permits',
      purpose: 'Erlaubnis für ein erlaubnispflichtiges Gewerbe',
      document: 'Erlaubnisurkunde',
      consentRequired: false,
      uploadAllowed: true,
      ifMissing: { ask: 'case_worker' },
    },
  ],
  fee: { timing: 'after_decision' },
  ruleSet: { id: 'gewerbeanmeldung', versions: [{ version: '1', validFrom: '2026-01-01' }] },
  escalation: { fourEyes: false, candidateGroup: 'gewerbeamt' },
  outputs: {
    documents: ['bescheid', 'gewerbeanmeldebestaetigung'],
    forwardingRecipients: ['finanzamt', 'ihk', 'handwerkskammer', 'berufsgenossenschaft'],
  },
  retentionYears: 30,
  // § 41 VwVfG (Bekanntgabe), §§ 68-74 VwGO (remedy), as federal law words them; a Land with its own VwVfG
  // may differ (e.g. the date it moved the postal fiction from three to four days).
  lifecycle: {
    bekanntgabe: FEDERAL_BEKANNTGABE,
    objection: { procedure: 'abolished', period: { months: 1 }, periodWithoutInstruction: { years: 1 } },
  },
  retention: { runsFrom: 'closure', disposal: 'offer_to_archive' },
  legalRemedy:
    // The Land has abolished the objection procedure here (§ 68 Abs. 1 Satz 2 VwGO; e.g. § 110 JustG NRW): the remedy
    // is the action before the administrative court (§ 74 Abs. 1 Satz 2 VwGO).
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Klage beim Verwaltungsgericht Musterstadt ' +
    'erhoben werden. Ein Widerspruchsverfahren findet nicht statt.',
  intakeFacts({ application, authority, submittedOn }) {
    const business = application['business'] as
      | { startDate?: string; tradeCategory?: string; employees?: number }
      | undefined;
    const days = daysBetween(submittedOn, business?.startDate);
    return {
      postalCodeInMunicipality: postalCodeInMunicipality(application, authority),
      startDateWithinAYear: days === null ? null : Math.abs(days) <= 365,
      tradeCategory: business?.tradeCategory ?? null,
    };
  },
  decisionFacts(application, evidence) {
    const business = application['business'] as { tradeCategory?: string; employees?: number } | undefined;
    const prohibition = evidenceOf(evidence, 'trade_prohibition');
    return {
      tradeCategory: business?.tradeCategory ?? null,
      employees: business?.employees ?? 0,
      prohibitionStatus: prohibition.status,
      prohibited: prohibition.facts ? prohibition.facts['prohibited'] === true : null,
      permitStatus: evidenceOf(evidence, 'trade_permit').status,
    };
  },
});

import { addressSchema } from '../../address-schema.js';
import { daysBetween, evidenceOf, postalCodeInMunicipality } from '../../fact-helpers.js';
import { defineService } from '../../define-service.js';

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
  retention: { runsFrom: 'closure', disposal: 'offer_to_archive' },
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Stadt Musterstadt, Gewerbeamt, einzulegen.',
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

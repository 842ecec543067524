import { addressSchema } from '../../address-schema.js';
import { evidenceOf, postalCodeInMunicipality } from '../../fact-helpers.js';
import { defineService } from '../../define-service.js';
import { FEDERAL_BEKANNTGABE, FEDERAL_CORRECTION } from '../../legal-time.js';

/** EXAMPLE service, simplified: a resident parking permit (Bewohnerparkausweis). Its authorities are data: authorities.json. */
export const anwohnerparken = defineService({
  key: '99050012104000',
  name: 'Bewohnerparkausweis (Beispiel)',
  synonyms: [
    'Anwohnerparkausweis',
    'Anwohnerparken',
    'Parkausweis',
    'Parkplakette',
    'Parkberechtigung',
    'Bewohnerparken',
    'Parken vor der Haustür',
  ],
  description:
    'Wer in einer Bewohnerparkzone mit Hauptwohnsitz gemeldet ist und ein Auto hält, kann einen Ausweis beantragen, ' +
    'mit dem er in seiner Zone parken darf, ohne einen Parkschein zu lösen.',
  legalBasis: '§ 45 Abs. 1b Satz 1 Nr. 2a StVO',
  minimumTrustLevel: 'substantial',
  representationAllowed: false,
  currentSchemaVersion: '1',
  schemas: {
    '1': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['zone', 'licensePlate', 'address'],
      properties: {
        zone: { type: 'string', pattern: '^[A-Z][0-9]{1,2}$' },
        licensePlate: { type: 'string', pattern: '^[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} [1-9][0-9]{0,3}[EH]?$' },
        address: addressSchema,
      },
    },
  },
  evidence: [
    {
      evidenceType: 'residence',
      register: 'population',
      purpose: 'Hauptwohnsitz in der Parkzone prüfen',
      document: 'Meldebescheinigung',
      consentRequired: true,
      uploadAllowed: true,
      ifMissing: { ask: 'applicant', afterDeadline: 'close_incomplete' },
    },
    {
      evidenceType: 'vehicle_registration',
      register: 'vehicles',
      purpose: 'Halterschaft des Fahrzeugs prüfen',
      document: 'Zulassungsbescheinigung Teil I',
      consentRequired: true,
      uploadAllowed: true,
      ifMissing: { ask: 'applicant', afterDeadline: 'decide' },
    },
  ],
  fee: { timing: 'in_advance', refundOn: ['rejected'] },
  ruleSet: {
    id: 'anwohnerparken',
    versions: [
      { version: '1', validFrom: '2026-01-01' },
      { version: '2', validFrom: '2027-01-01' },
    ],
  },
  escalation: { fourEyes: false, candidateGroup: 'sachbearbeitung' },
  outputs: { documents: ['bescheid'], forwardingRecipients: [] },
  retentionYears: 6,
  retention: { runsFrom: 'bestandskraft', disposal: 'erase' },
  certificate: {
    title: 'Bewohnerparkausweis',
    validYears: 1,
    fields: (a) => [
      ['Parkzone', String(a['zone'])],
      ['Kennzeichen', String(a['licensePlate'])],
    ],
  },
  // § 41 VwVfG (Bekanntgabe), §§ 68-74 VwGO (remedy), as federal law words them; a Land with its own VwVfG
  // may differ (e.g. the date it moved the postal fiction from three to four days).
  lifecycle: {
    bekanntgabe: FEDERAL_BEKANNTGABE,
    objection: {
      procedure: 'widerspruch',
      period: { months: 1 },
      periodWithoutInstruction: { years: 1 },
      // Each city's objection office decides what the deciding office does not remedy; where the next higher authority
      // decides (§ 73 Abs. 1 Satz 2 Nr. 1 VwGO), `authorityId` names it.
      authority: { group: 'widerspruchsstelle' },
    },
    correction: FEDERAL_CORRECTION,
    // SAMPLE: approval by fiction (§ 42a VwVfG) applies only where the Fachrecht orders it. No federal law does for
    // this permit; the sample assumes a municipal Bewohnerparksatzung that does, with the statute's three months.
    fiction: {
      period: { months: 3 },
      legalBasis: '§ 4 Abs. 3 der Bewohnerparksatzung (Beispiel)',
      extension: { max: { months: 2 } },
    },
  },
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Behörde einzulegen, die den Bescheid erlassen hat.',
  intakeFacts: ({ application, authority }) => ({
    postalCodeInMunicipality: postalCodeInMunicipality(application, authority),
  }),
  decisionFacts(application, evidence) {
    const residence = evidenceOf(evidence, 'residence');
    const vehicle = evidenceOf(evidence, 'vehicle_registration');
    return {
      residenceStatus: residence.status,
      residenceInZone: residence.facts ? residence.facts['zone'] === application['zone'] : null,
      vehicleStatus: vehicle.status,
      vehicleHolderMatches: vehicle.facts ? vehicle.facts['holderMatches'] === true : null,
      vehicleUse: vehicle.facts ? vehicle.facts['use'] : null,
    };
  },
});

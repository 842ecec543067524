import { addressSchema } from './address-schema.js';
import { evidenceOf, postalCodeInMunicipality } from './fact-helpers.js';
import type { ServiceDefinition } from './types.js';

/** EXAMPLE service, simplified: a resident parking permit (Bewohnerparkausweis). */
export const anwohnerparken: ServiceDefinition = {
  key: '99050012104000',
  name: 'Bewohnerparkausweis (Beispiel)',
  synonyms: ['Anwohnerparkausweis', 'Anwohnerparken', 'Parkausweis', 'Parkplakette', 'Parkberechtigung', 'Bewohnerparken', 'Parken vor der Haustür'],
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
  authorities: {
    'stadt-musterstadt': {
      name: 'Stadt Musterstadt, Straßenverkehrsbehörde',
      feeAccount: 'DE02120300000000202051',
      contact: 'verkehr@musterstadt.example',
      sealIdentity: 'stadt-musterstadt',
      postalCodes: ['48143', '48145', '48147'],
      postalAddress: 'Rathausplatz 1, 48143 Musterstadt',
      fileReferencePrefix: '32.1-BPA',
      arsAreas: ['055150000000'],
    },
    'stadt-beispielheim': {
      name: 'Stadt Beispielheim, Ordnungsamt',
      feeAccount: 'DE12500105170648489890',
      contact: 'ordnungsamt@beispielheim.example',
      sealIdentity: 'stadt-beispielheim-ordnungsamt',
      postalCodes: ['12345'],
      postalAddress: 'Marktstraße 5, 12345 Beispielheim',
      fileReferencePrefix: 'II/32-BPA',
      arsAreas: ['12065'],
      deadlines: { caseWorkerMs: 7 * 24 * 3600_000 },
    },
    'gemeinde-beispieldorf': {
      name: 'Gemeinde Beispieldorf, Ordnungsamt',
      feeAccount: 'DE02120300000000202052',
      contact: 'ordnungsamt@beispieldorf.example',
      sealIdentity: 'gemeinde-beispieldorf',
      // A postal code may span several municipalities; Beispieldorf shares Musterstadt's.
      postalCodes: ['48143'],
      postalAddress: 'Dorfstraße 2, 48143 Beispieldorf',
      fileReferencePrefix: 'OA-BPA',
      arsAreas: ['055660004004'],
      escalation: { fourEyes: true },
    },
  },
  retentionYears: 6,
  certificate: {
    title: 'Bewohnerparkausweis',
    validYears: 1,
    fields: (a) => [
      ['Parkzone', String(a['zone'])],
      ['Kennzeichen', String(a['licensePlate'])],
    ],
  },
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Behörde einzulegen, die den Bescheid erlassen hat.',
  intakeFacts: ({ application, authority }) => ({ postalCodeInMunicipality: postalCodeInMunicipality(application, authority) }),
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
};

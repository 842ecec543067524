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
        address: {
          type: 'object',
          additionalProperties: false,
          required: ['street', 'postalCode', 'city'],
          properties: {
            street: { type: 'string', minLength: 1, maxLength: 200 },
            postalCode: { type: 'string', pattern: '^[0-9]{5}$' },
            city: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
      },
    },
  },
  evidence: [
    { evidenceType: 'residence', register: 'population', purpose: 'Hauptwohnsitz in der Parkzone prüfen' },
    { evidenceType: 'vehicle_registration', register: 'vehicles', purpose: 'Halterschaft des Fahrzeugs prüfen' },
  ],
  fee: { timing: 'in_advance', amountCents: 3_060 },
  ruleSet: { id: 'anwohnerparken', currentVersion: '1' },
  authorities: {
    'stadt-musterstadt': {
      name: 'Stadt Musterstadt, Straßenverkehrsbehörde',
      feeAccount: 'DE02120300000000202051',
      contact: 'verkehr@musterstadt.example',
    },
  },
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Stadt Musterstadt, Straßenverkehrsbehörde, einzulegen.',
  decisionFacts(application, evidence) {
    const residence = evidence.find((e) => e.evidenceType === 'residence');
    const vehicle = evidence.find((e) => e.evidenceType === 'vehicle_registration');
    return {
      residenceStatus: residence?.status ?? 'unavailable',
      residenceInZone: residence?.status === 'found' ? residence.facts['zone'] === application['zone'] : null,
      vehicleStatus: vehicle?.status ?? 'unavailable',
      vehicleHolderMatches: vehicle?.status === 'found' ? vehicle.facts['holderMatches'] === true : null,
      vehicleUse: vehicle?.status === 'found' ? vehicle.facts['use'] : null,
    };
  },
};

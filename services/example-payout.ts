import type { ServiceDefinition } from './types.js';

/** EXAMPLE service for the pay-out path: a fixed grant paid to the applicant's IBAN. Not a real service. */
export const examplePayout: ServiceDefinition = {
  key: '99990000000002',
  name: 'Zuschuss (Beispiel, Auszahlung)',
  legalBasis: 'Beispiel: Förderrichtlinie (Muster)',
  minimumTrustLevel: 'substantial',
  currentSchemaVersion: '1',
  schemas: {
    '1': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['purchasePriceCents', 'iban'],
      properties: {
        purchasePriceCents: { type: 'integer', minimum: 1 },
        iban: { type: 'string', format: 'iban' },
      },
    },
  },
  evidence: [],
  fee: { timing: 'payout', amountCents: 25_000, payeeIbanField: 'iban' },
  ruleSet: { id: 'beispiel-zuschuss', currentVersion: '1' },
  authorities: {
    'stadt-musterstadt': {
      name: 'Stadt Musterstadt, Umweltamt',
      feeAccount: 'DE02120300000000202051',
      contact: 'umwelt@musterstadt.example',
    },
  },
  legalRemedy: 'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden (Beispiel).',
  decisionFacts: (application) => ({ purchasePriceCents: application['purchasePriceCents'] }),
};

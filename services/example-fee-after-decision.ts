import type { ServiceDefinition } from './types.js';

const authorities = {
  'stadt-musterstadt': {
    name: 'Stadt Musterstadt, Tiefbauamt',
    feeAccount: 'DE02120300000000202051',
    contact: 'tiefbau@musterstadt.example',
  },
};

/** EXAMPLE service for the fee-after-decision path: a short special use of a street (Sondernutzung). Not a real service. */
export const exampleFeeAfterDecision: ServiceDefinition = {
  key: '99990000000001',
  name: 'Sondernutzungserlaubnis (Beispiel, Gebühr nach Entscheidung)',
  legalBasis: 'Beispiel: § 18 StrWG (Muster)',
  minimumTrustLevel: 'low',
  currentSchemaVersion: '1',
  schemas: {
    '1': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['location', 'days'],
      properties: {
        location: { type: 'string', minLength: 1, maxLength: 200 },
        days: { type: 'integer', minimum: 1, maximum: 365 },
      },
    },
  },
  evidence: [],
  fee: { timing: 'after_decision', amountCents: 4_500 },
  ruleSet: { id: 'beispiel-sondernutzung', currentVersion: '1' },
  authorities,
  legalRemedy: 'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden (Beispiel).',
  decisionFacts: (application) => ({ days: application['days'] }),
};

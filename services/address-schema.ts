/** The postal address block the sample services share. */
export const addressSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['street', 'postalCode', 'city'],
  properties: {
    street: { type: 'string', minLength: 1, maxLength: 200 },
    postalCode: { type: 'string', pattern: '^[0-9]{5}$' },
    city: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

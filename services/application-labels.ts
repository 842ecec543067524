import type { ServiceDefinition } from './types.js';

// German labels for the sample schemas' keys, used where a schema property has no `title` of its own.
const fallback: Record<string, string> = {
  business: 'Betrieb',
  name: 'Name',
  activity: 'Tätigkeit',
  tradeCategory: 'Gewerbeart',
  startDate: 'Beginn',
  employees: 'Beschäftigte',
  address: 'Anschrift',
  street: 'Straße und Hausnummer',
  postalCode: 'Postleitzahl',
  city: 'Ort',
  vehicle: 'Fahrzeug',
  licensePlate: 'Kennzeichen',
  ownership: 'Haltereigenschaft',
  iban: 'IBAN',
  accountHolder: 'Kontoinhaber',
  bike: 'Lastenrad',
  price: 'Kaufpreis',
  priceCents: 'Kaufpreis (Cent)',
  purchaseDate: 'Kaufdatum',
  model: 'Modell',
  electric: 'Mit Elektromotor',
  firstName: 'Vorname',
  lastName: 'Nachname',
  birthDate: 'Geburtsdatum',
  email: 'E-Mail',
  phone: 'Telefon',
  zone: 'Parkzone',
  bankAccount: 'Bankverbindung',
  applicant: 'Antragsteller/in',
  person: 'Person',
  holder: 'Halter/in',
  usage: 'Nutzung',
};

export interface LabelledField {
  /** Dotted path of the field in the application, for Fachverfahren that map it back. */
  path: string;
  label: string;
  value: string | number | boolean | null;
}

type Schema = {
  title?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  /** A FIM select field's code list (services/fim): code → label. */
  'x-fim-codes'?: Record<string, string>;
};

const humanize = (key: string) =>
  fallback[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

/** The application as a flat list of labelled fields, in the schema's order, labels from the schema's `title`s. */
export function labelApplication(
  service: ServiceDefinition,
  schemaVersion: string,
  application: Record<string, unknown>,
): LabelledField[] {
  const schema = (service.schemas[schemaVersion] ?? service.schemas[service.currentSchemaVersion]) as
    | Schema
    | undefined;
  const out: LabelledField[] = [];
  const walk = (value: unknown, s: Schema | undefined, path: string[], labels: string[]) => {
    if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      const order = s?.properties ? Object.keys(s.properties) : [];
      entries.sort(([a], [b]) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9));
      for (const [k, v] of entries) {
        const child = Array.isArray(value) ? s?.items : s?.properties?.[k];
        walk(
          v,
          child,
          [...path, k],
          [...labels, Array.isArray(value) ? `Nr. ${Number(k) + 1}` : (child?.title ?? humanize(k))],
        );
      }
      return;
    }
    // A code from a FIM code list shows with its label, as the form offered it.
    const coded = typeof value === 'string' ? s?.['x-fim-codes']?.[value] : undefined;
    out.push({
      path: path.join('.'),
      label: labels.join(' › '),
      value: coded ? `${coded} (${value as string})` : (value as LabelledField['value']),
    });
  };
  walk(application, schema, [], []);
  return out;
}

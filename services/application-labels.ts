import type { ServiceDefinition } from './types.js';
import { euros, fieldName } from './plain-german.js';

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

const humanize = fieldName;

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
    // Amounts in integer cents (…Cents) are shown as euros.
    const money = typeof value === 'number' && /Cents$/.test(path.at(-1) ?? '') ? euros(value) : undefined;
    out.push({
      path: path.join('.'),
      label: labels.join(' › '),
      value: money ?? (coded ? `${coded} (${value as string})` : (value as LabelledField['value'])),
    });
  };
  walk(application, schema, [], []);
  return out;
}

import type { AuthoritySettings, ServiceDefinition } from './types.js';

/**
 * The Aktenzeichen pattern when neither the authority nor the service declares one:
 * `<authority prefix>/<year>/<running number, five digits>`, e.g. `32.1-BPA/2026/00017`.
 */
export const DEFAULT_AKTENZEICHEN_PATTERN = '{prefix}/{year}/{number:5}';

const TOKEN = /\{(prefix|year|service|number)(?::([1-9]))?\}/g;

/** Whether a declared pattern can number files: it must contain `{number}` and only known placeholders. */
export function aktenzeichenPatternProblem(pattern: string): string | undefined {
  if (!/\{number(?::[1-9])?\}/.test(pattern)) return 'must contain {number} (the running number)';
  const unknown = pattern.replace(TOKEN, '').match(/\{[^}]*\}/);
  if (unknown) return `unknown placeholder ${unknown[0]}; known: {prefix} {year} {service} {number} {number:N}`;
  return undefined;
}

/**
 * The Aktenzeichen of the `runningNumber`-th case of this authority in `year`, from the pattern the authority
 * declares, else the service's, else the default.
 */
export function formatAktenzeichen(
  service: Pick<ServiceDefinition, 'key' | 'aktenzeichenPattern'>,
  authority: Pick<AuthoritySettings, 'fileReferencePrefix' | 'sealIdentity' | 'aktenzeichenPattern'>,
  year: number,
  runningNumber: number,
): string {
  const pattern = authority.aktenzeichenPattern ?? service.aktenzeichenPattern ?? DEFAULT_AKTENZEICHEN_PATTERN;
  const prefix = authority.fileReferencePrefix ?? authority.sealIdentity.toUpperCase();
  return pattern.replace(TOKEN, (_, name: string, width?: string) => {
    if (name === 'prefix') return prefix;
    if (name === 'year') return String(year);
    if (name === 'service') return service.key;
    return String(runningNumber).padStart(Number(width ?? 1), '0');
  });
}

/** The year a case is numbered in: the calendar year of its submission in Germany. */
export function aktenzeichenYear(submittedAt: string): number {
  return Number(BERLIN_YEAR.format(new Date(submittedAt)));
}

// Made once: a formatter costs some 60 µs to make, 1 µs to use.
const BERLIN_YEAR = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', year: 'numeric' });

/** The schema's own id where it declares one, else a URN from the service key and version. */
export function schemaIdOf(service: ServiceDefinition, schemaVersion: string): string {
  const id = (service.schemas[schemaVersion] as { $id?: unknown } | undefined)?.$id;
  return typeof id === 'string' ? id : `urn:ozg-case-engine:schema:${service.key}:${schemaVersion}`;
}

/**
 * The labels of the application's fields as the schema names them (FIM: the input labels an imported data schema
 * carries as `title`), JSON pointer to label; empty where the schema has no titles.
 */
export function fieldLabels(schema: unknown): Record<string, string> {
  const labels: Record<string, string> = {};
  const walk = (node: unknown, pointer: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { title?: unknown; properties?: Record<string, unknown>; items?: unknown };
    if (typeof n.title === 'string' && pointer) labels[pointer] = n.title;
    for (const [name, child] of Object.entries(n.properties ?? {}))
      walk(child, `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (n.items) walk(n.items, `${pointer}/*`);
  };
  walk(schema, '');
  return labels;
}

import { XMLParser } from 'fast-xml-parser';

/** A genericode code list: code → label. */
export type CodeLists = Record<string, Record<string, string>>;

type Node = Record<string, unknown>;

export const XDF2_NS = 'urn:xoev-de:fim:standard:xdatenfelder_2';
export const XDF3_NS = 'urn:xoev-de:fim:standard:xdatenfelder_3.0.0';
const SCHEMA_ROOT = 'xdatenfelder.stammdatenschema.0102';
const GROUP_ROOT = 'xdatenfelder.datenfeldgruppe.0103';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => ['struktur', 'Row', 'Value', 'wert'].includes(name),
});

/** Reads a genericode code list into code → label (the first column is the code, the second its label). */
export function parseGenericode(xml: string): { uri: string; codes: Record<string, string> } {
  const list = (parser.parse(xml) as Node)['CodeList'] as Node | undefined;
  if (!list) throw new Error('not a genericode CodeList');
  const ident = list['Identification'] as Node;
  const rows = ((list['SimpleCodeList'] as Node | undefined)?.['Row'] ?? []) as Node[];
  const codes: Record<string, string> = {};
  for (const row of rows) {
    const values = row['Value'] as Node[];
    const [code, label] = values.map((v) => String(v['SimpleValue']));
    if (code !== undefined) codes[code] = label ?? code;
  }
  return { uri: String(ident['CanonicalVersionUri'] ?? ident['CanonicalUri']), codes };
}

/** The root element's local name and namespace, read from the document's first element. */
function rootOf(xml: string): { name: string; namespace: string | undefined } {
  const body = xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, '');
  const m = /<(?:([\w.-]+):)?([\w.-]+)([^>]*)>/.exec(body);
  if (!m) throw new Error('not XML: no root element');
  const [, prefix, name, attributes] = m;
  const ns = new RegExp(`\\sxmlns${prefix ? `:${prefix.replace(/[.-]/g, '\\$&')}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(
    attributes ?? '',
  );
  return { name: name!, namespace: ns?.[1] };
}

/** Which XDatenfelder version a document is, by its root element's namespace. */
export function xdatenfelderVersion(xml: string): 2 | 3 {
  const { namespace } = rootOf(xml);
  if (namespace === XDF2_NS) return 2;
  if (namespace === XDF3_NS) return 3;
  throw new Error(
    `not an XDatenfelder document: the root element's namespace is ${namespace ?? 'missing'}, expected ${XDF2_NS} or ${XDF3_NS}`,
  );
}

/**
 * Imports a FIM Stammdatenschema (XDatenfelder 2 or 3, told apart by the namespace) or, in XDatenfelder 3, a
 * Datenfeldgruppe message as JSON Schema draft 2020-12.
 */
export function importXDatenfelder(xml: string, codeLists: CodeLists = {}): object {
  return xdatenfelderVersion(xml) === 2 ? importXDatenfelder2(xml, codeLists) : importXDatenfelder3(xml, codeLists);
}

/**
 * Imports a FIM Stammdatenschema (XDatenfelder 2) as JSON Schema draft 2020-12: properties keyed by the FIM ids
 * (F… fields, G… groups), titles from the input labels, cardinalities from `anzahl`, types from `datentyp`, limits
 * from `praezisierung`, and code lists (genericode, by canonical version URI) as enums with their labels.
 */
export function importXDatenfelder2(xml: string, codeLists: CodeLists = {}): object {
  const doc = parser.parse(xml) as Node;
  const root = doc[SCHEMA_ROOT] as Node | undefined;
  const { namespace } = root ? rootOf(xml) : { namespace: undefined };
  if (!root || namespace !== XDF2_NS)
    throw new Error(
      `not an XDatenfelder 2 Stammdatenschema: expected root ${SCHEMA_ROOT} in ${XDF2_NS}` +
        (namespace === XDF3_NS ? ' (this is XDatenfelder 3: use importXDatenfelder3 or importXDatenfelder)' : ''),
    );
  return schemaDocument(root['stammdatenschema'] as Node, 2, codeLists);
}

/**
 * Imports XDatenfelder 3 (`urn:xoev-de:fim:standard:xdatenfelder_3.0.0`): a Stammdatenschema message (0102) or a
 * Datenfeldgruppe message (0103), the same way as XDatenfelder 2. XDF3 differences handled here: `praezisierung`
 * as attributes, `codelisteReferenz` with the genericode identification directly inside, inline value lists
 * (`werte/wert{code, name}`), the data types text_latin, time and datetime, and the field kinds label (no input,
 * left out), hidden and locked (read-only).
 */
export function importXDatenfelder3(xml: string, codeLists: CodeLists = {}): object {
  const { name, namespace } = rootOf(xml);
  if (namespace !== XDF3_NS || (name !== SCHEMA_ROOT && name !== GROUP_ROOT))
    throw new Error(
      `not an XDatenfelder 3 message: expected root ${SCHEMA_ROOT} or ${GROUP_ROOT} in ${XDF3_NS}, found ${name} in ${namespace ?? 'no namespace'}`,
    );
  const root = (parser.parse(xml) as Node)[name] as Node;
  const element = root[name === SCHEMA_ROOT ? 'stammdatenschema' : 'datenfeldgruppe'] as Node | undefined;
  if (!element) throw new Error(`${name} without its ${name === SCHEMA_ROOT ? 'stammdatenschema' : 'datenfeldgruppe'}`);
  return schemaDocument(element, 3, codeLists);
}

function schemaDocument(schema: Node, xdf: 2 | 3, codeLists: CodeLists): object {
  const { id, version } = identOf(schema);
  const kind = id.startsWith('G') ? 'datenfeldgruppe' : 'stammdatenschema';
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:xoev-de:fim:${kind}:${id}:${version}`,
    title: text(schema['bezeichnungEingabe']) ?? text(schema['bezeichnung']) ?? text(schema['name']),
    'x-fim-id': id,
    'x-fim-version': version,
    'x-fim-xdatenfelder': xdf === 2 ? '2' : '3.0.0',
    ...objectOf(schema, xdf, codeLists),
  };
}

function objectOf(container: Node, xdf: 2 | 3, codeLists: CodeLists): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const s of (container['struktur'] ?? []) as Node[]) {
    const [min, max] = cardinality(String(s['anzahl']));
    const contains = s['enthaelt'] as Node | undefined;
    const element = (contains?.['datenfeld'] ?? contains?.['datenfeldgruppe']) as Node | undefined;
    if (!element) throw new Error('a struktur without enthaelt/datenfeld or enthaelt/datenfeldgruppe');
    const { id } = identOf(element);
    // A label (static text) takes no input.
    if (contains?.['datenfeld'] && code(element['feldart']) === 'label') continue;
    const single = contains?.['datenfeld']
      ? fieldSchema(element, xdf, codeLists)
      : { type: 'object', additionalProperties: false, ...objectOf(element, xdf, codeLists) };
    const annotated = {
      title: text(element['bezeichnungEingabe']) ?? text(element['name']),
      'x-fim-id': id,
      ...single,
    };
    properties[id] =
      max === 1
        ? annotated
        : {
            type: 'array',
            title: annotated.title,
            'x-fim-id': id,
            items: annotated,
            minItems: min,
            ...(max !== undefined && { maxItems: max }),
          };
    if (min >= 1) required.push(id);
  }
  return { type: 'object', additionalProperties: false, required, properties };
}

const TYPES: Record<string, Record<string, unknown>> = {
  text: { type: 'string' },
  // XDF3: text restricted to the Latin characters of DIN SPEC 91379 (not checked character by character here).
  text_latin: { type: 'string' },
  date: { type: 'string', format: 'date' },
  time: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$' },
  datetime: { type: 'string', format: 'date-time' },
  bool: { type: 'boolean' },
  num: { type: 'number' },
  num_int: { type: 'integer' },
  num_currency: { type: 'number', multipleOf: 0.01 },
};

function fieldSchema(field: Node, xdf: 2 | 3, codeLists: CodeLists): Record<string, unknown> {
  const { id } = identOf(field);
  const type = code(field['datentyp']) ?? 'text';
  const base = TYPES[type];
  if (!base)
    throw new Error(
      `field ${id}: datentyp "${type}" is not supported in an application's JSON data (files travel as uploads)`,
    );
  const out: Record<string, unknown> = { ...base, 'x-fim-datentyp': type };
  const p = precision(field['praezisierung']);
  if (p['minLength'] !== undefined) out['minLength'] = Number(p['minLength']);
  if (p['maxLength'] !== undefined) out['maxLength'] = Number(p['maxLength']);
  if (p['minValue'] !== undefined) out['minimum'] = Number(p['minValue']);
  if (p['maxValue'] !== undefined) out['maximum'] = Number(p['maxValue']);
  if (p['pattern'] !== undefined) out['pattern'] = `^(?:${String(p['pattern'])})$`;
  const kind = code(field['feldart']) ?? 'input';
  if (kind === 'select') {
    const codes = inlineValues(field) ?? referencedCodes(field, id, codeLists);
    if (!codes) throw new Error(`field ${id}: a select field without codelisteReferenz or werte`);
    out['enum'] = Object.keys(codes);
    out['x-fim-codes'] = codes;
  }
  if (xdf === 3 && (kind === 'hidden' || kind === 'locked')) {
    out['x-fim-feldart'] = kind;
    if (kind === 'locked') out['readOnly'] = true;
  }
  return out;
}

/** XDF3 `werte/wert{code, name}`: a value list inside the field. */
function inlineValues(field: Node): Record<string, string> | undefined {
  const values = (field['werte'] as Node | undefined)?.['wert'] as Node[] | undefined;
  if (!values?.length) return undefined;
  return Object.fromEntries(values.map((v) => [String(v['code']), text(v['name']) ?? String(v['code'])]));
}

/**
 * A genericode code list by its canonical version URI: XDF2 nests it in `genericodeIdentification` (older exports
 * and this project's first sample in `genericode`), XDF3 puts `canonicalIdentification`, `version` and
 * `canonicalVersionUri` directly into `codelisteReferenz`.
 */
function referencedCodes(field: Node, id: string, codeLists: CodeLists): Record<string, string> | undefined {
  const ref = field['codelisteReferenz'] as Node | undefined;
  if (!ref) return undefined;
  const gc = (ref['genericodeIdentification'] ?? ref['genericode'] ?? ref) as Node;
  const uri = text(gc['canonicalVersionUri']) ?? `${text(gc['canonicalIdentification'])}_${text(gc['version'])}`;
  const codes = codeLists[uri];
  if (!codes) throw new Error(`code list ${uri} of field ${id} was not supplied`);
  return codes;
}

/** `praezisierung` is a JSON object in a string in XDF2 and attributes in XDF3; tolerate child elements too. */
function precision(v: unknown): Record<string, unknown> {
  if (v === undefined || v === '') return {};
  if (typeof v === 'object' && v) {
    const out: Record<string, unknown> = {};
    for (const [k, value] of Object.entries(v as Node)) if (k !== '#text') out[k.replace(/^@_/, '')] = value;
    return out;
  }
  try {
    return JSON.parse(String(v)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** `anzahl` is `min:max` with `*` for unbounded. */
export function cardinality(anzahl: string): [number, number | undefined] {
  const m = /^(\d+):(\*|\d+)$/.exec(anzahl.trim());
  if (!m) throw new Error(`invalid anzahl "${anzahl}"`);
  return [Number(m[1]), m[2] === '*' ? undefined : Number(m[2])];
}

function identOf(n: Node): { id: string; version: string } {
  const ident = n['identifikation'] as Node | undefined;
  const id = text(ident?.['id']);
  if (!id) throw new Error('an element without identifikation/id');
  return { id, version: text(ident?.['version']) ?? '1.0' };
}

const text = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));
const code = (v: unknown): string | undefined => (typeof v === 'object' && v ? text((v as Node)['code']) : text(v));

import { XMLParser } from 'fast-xml-parser';

/** A genericode code list: code → label. */
export type CodeLists = Record<string, Record<string, string>>;

type Node = Record<string, unknown>;

const XDF2_ROOT = 'xdatenfelder.stammdatenschema.0102';
const XDF2_NS = 'urn:xoev-de:fim:standard:xdatenfelder_2';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => ['struktur', 'Row', 'Value'].includes(name),
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

/**
 * Imports a FIM Stammdatenschema (XDatenfelder 2) as JSON Schema draft 2020-12: properties keyed by the FIM ids
 * (F… fields, G… groups), titles from the input labels, cardinalities from `anzahl`, types from `datentyp`, limits
 * from `praezisierung`, and code lists (genericode, by canonical version URI) as enums with their labels.
 */
export function importXDatenfelder2(xml: string, codeLists: CodeLists = {}): object {
  const doc = parser.parse(xml) as Node;
  const root = doc[XDF2_ROOT] as Node | undefined;
  if (!root) throw new Error(`not an XDatenfelder 2 Stammdatenschema: expected root ${XDF2_ROOT} in ${XDF2_NS}`);
  if (!new RegExp(`xmlns(:\\w+)?="${XDF2_NS}"`).test(xml)) throw new Error(`unexpected namespace: expected ${XDF2_NS}`);
  const schema = root['stammdatenschema'] as Node;
  const { id, version } = identOf(schema);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:xoev-de:fim:stammdatenschema:${id}:${version}`,
    title: text(schema['bezeichnungEingabe']) ?? text(schema['name']),
    'x-fim-id': id,
    'x-fim-version': version,
    ...objectOf(schema, codeLists),
  };
}

function objectOf(container: Node, codeLists: CodeLists): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const s of (container['struktur'] ?? []) as Node[]) {
    const [min, max] = cardinality(String(s['anzahl']));
    const contains = s['enthaelt'] as Node;
    const element = (contains['datenfeld'] ?? contains['datenfeldgruppe']) as Node;
    const { id } = identOf(element);
    const single = contains['datenfeld']
      ? fieldSchema(element, codeLists)
      : { type: 'object', additionalProperties: false, ...objectOf(element, codeLists) };
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

function fieldSchema(field: Node, codeLists: CodeLists): Record<string, unknown> {
  const type = code(field['datentyp']);
  const out: Record<string, unknown> = (
    {
      text: { type: 'string' },
      date: { type: 'string', format: 'date' },
      bool: { type: 'boolean' },
      num: { type: 'number' },
      num_int: { type: 'integer' },
      num_currency: { type: 'number', multipleOf: 0.01 },
    } as Record<string, Record<string, unknown>>
  )[type ?? ''] ?? { type: 'string' };
  const p = precision(field['praezisierung']);
  if (p['minLength'] !== undefined) out['minLength'] = Number(p['minLength']);
  if (p['maxLength'] !== undefined) out['maxLength'] = Number(p['maxLength']);
  if (p['minValue'] !== undefined) out['minimum'] = Number(p['minValue']);
  if (p['maxValue'] !== undefined) out['maximum'] = Number(p['maxValue']);
  if (p['pattern'] !== undefined) out['pattern'] = `^(?:${String(p['pattern'])})$`;
  const ref = field['codelisteReferenz'] as Node | undefined;
  if (code(field['feldart']) === 'select' && ref) {
    const gc = ref['genericode'] as Node;
    const uri = text(gc['canonicalVersionUri']) ?? `${text(gc['canonicalIdentification'])}_${text(gc['version'])}`;
    const codes = codeLists[uri];
    if (!codes) throw new Error(`code list ${uri} of field ${identOf(field).id} was not supplied`);
    out['enum'] = Object.keys(codes);
    out['x-fim-codes'] = codes;
  }
  return out;
}

/** `praezisierung` is a JSON object in a string in XDF2; tolerate child elements too. */
function precision(v: unknown): Record<string, unknown> {
  if (v === undefined || v === '') return {};
  if (typeof v === 'object') return v as Record<string, unknown>;
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

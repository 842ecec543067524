import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ScaffoldOptions {
  /** Folder name and rule set id: lowercase letters, digits and dashes. */
  name: string;
  /** Parent folder; the service goes to `<dir>/<name>`. */
  dir: string;
  /** 14-digit service key; derived from the name when not given. */
  key?: string;
}

/** Writes a complete, checkable service folder a team then edits: definition, schema, rules, authority, texts, examples. */
export async function scaffoldService(o: ScaffoldOptions): Promise<string> {
  if (!/^[a-z][a-z0-9-]*$/.test(o.name))
    throw new Error(`service name "${o.name}": use lowercase letters, digits and dashes`);
  const key =
    o.key ??
    `99${BigInt(`0x${createHash('sha256').update(o.name).digest('hex').slice(0, 12)}`)
      .toString()
      .slice(0, 12)
      .padStart(12, '0')}`;
  if (!/^[0-9]{14}$/.test(key)) throw new Error(`service key "${key}": 14 digits`);
  const folder = resolve(o.dir, o.name);
  if (existsSync(folder)) throw new Error(`${folder} exists already`);
  for (const sub of ['rules', 'authorities', 'examples']) await mkdir(join(folder, sub), { recursive: true });
  const files: Record<string, string> = {
    'service.ts': serviceTs(o.name, key),
    'schema.json': json(schema),
    'texts.json': json(texts),
    'rules/v1.json': json(rules(o.name)),
    'authorities/stadt-musterstadt.json': json(authority),
    'examples/approved.json': json(example('found', 'approve')),
    'examples/rejected.json': json(example('not_found', 'reject')),
    'README.md': readme(o.name),
  };
  for (const [file, content] of Object.entries(files)) await writeFile(join(folder, file), content);
  return folder;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

const serviceTs = (name: string, key: string) => `import { defineService } from 'ozg-case-engine/service';

/** ${name}: what the service grants, in one sentence. Schema in schema.json, rules in rules/, authorities in authorities/. */
export default defineService({
  key: '${key}',
  name: '${name}',
  description: 'Ein oder zwei Sätze, wofür die Leistung da ist.',
  legalBasis: '§ 1 Beispielsatzung',
  minimumTrustLevel: 'substantial',
  representationAllowed: false,
  evidence: [
    {
      evidenceType: 'residence',
      register: 'population',
      purpose: 'Hauptwohnsitz in der Gemeinde prüfen',
      document: 'Meldebescheinigung',
      consentRequired: true,
      uploadAllowed: true,
      ifMissing: { ask: 'case_worker' },
    },
  ],
  fee: { timing: 'in_advance', refundOn: ['rejected'] },
  escalation: { fourEyes: false, candidateGroup: 'sachbearbeitung' },
  outputs: { documents: ['bescheid'], forwardingRecipients: [] },
  retentionYears: 6,
});
`;

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'address'],
  properties: {
    reason: { type: 'string', minLength: 3, maxLength: 500 },
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
};

const texts = {
  legalRemedy:
    'Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. ' +
    'Der Widerspruch ist schriftlich oder zur Niederschrift bei der Behörde einzulegen, die den Bescheid erlassen hat.',
};

const authority = {
  name: 'Stadt Musterstadt, Bürgeramt',
  feeAccount: 'DE02120300000000202051',
  contact: 'buergeramt@musterstadt.example',
  sealIdentity: 'stadt-musterstadt',
  postalCodes: ['48143', '48145', '48147'],
};

const cite = (reason: string) => ({ reason, legalBasis: '§ 1 Beispielsatzung' });
const rules = (name: string) => ({
  ruleSetId: name,
  version: '1',
  validFrom: '2026-01-01',
  rules: [
    {
      name: 'fee',
      conditions: { all: [] },
      event: { type: 'fee', params: { ...cite('Verwaltungsgebühr'), amountCents: 1000 } },
    },
    {
      name: 'needs-residence',
      conditions: { all: [] },
      event: { type: 'require-evidence', params: { ...cite('Wohnsitz in der Gemeinde'), evidenceType: 'residence' } },
    },
    {
      name: 'address-in-municipality',
      conditions: { all: [{ fact: 'postalCodeInMunicipality', operator: 'equal', value: false }] },
      event: {
        type: 'implausible',
        params: {
          pointer: '/address/postalCode',
          code: 'not_in_municipality',
          message: 'Die Anschrift liegt nicht in der Gemeinde.',
          messageEn: 'The address is not in the municipality.',
        },
      },
    },
    {
      name: 'resident',
      conditions: { all: [{ fact: 'evidence', path: '$.residence.status', operator: 'equal', value: 'found' }] },
      event: { type: 'approve', params: cite('Hauptwohnsitz in der Gemeinde nachgewiesen.') },
    },
    {
      name: 'not-resident',
      conditions: { all: [{ fact: 'evidence', path: '$.residence.status', operator: 'equal', value: 'not_found' }] },
      event: { type: 'reject', params: cite('Kein Wohnsitz in der Gemeinde.') },
    },
  ],
});

const example = (status: 'found' | 'not_found', outcome: 'approve' | 'reject') => ({
  authorityId: 'stadt-musterstadt',
  submittedOn: '2026-06-01',
  application: {
    reason: 'Beispielantrag',
    address: { street: 'Am Markt 3', postalCode: '48143', city: 'Musterstadt' },
  },
  evidence: { residence: status === 'found' ? { status, facts: { mainResidence: true } } : { status } },
  expected: { feeCents: 1000, requiredEvidence: ['residence'], outcome },
});

const readme = (name: string) => `# ${name}

A service for the OZG case engine. \`npm run service:check -- <this folder>\` validates it and runs \`examples/\`.

| file | holds |
| --- | --- |
| \`service.ts\` | the definition (\`defineService\`): evidence, fee timing, trust level, escalation |
| \`schema.json\` | the application's JSON Schema (draft 2020-12) |
| \`rules/v1.json\` | the rule set: fee, required evidence, plausibility, decision; never edit a released version, add \`v2.json\` |
| \`authorities/<id>.json\` | each authority offering it: fee account, seal identity, postal codes, deadlines |
| \`texts.json\` | Bescheid texts (Rechtsbehelfsbelehrung) |
| \`examples/*.json\` | example cases with the outcome they must get |
`;

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configReference } from '../platform/config.js';

/** Writes docs/configuration.md from platform/config.ts's schema (`npm run config:table`); test/config-table.test.ts keeps them equal. */
export const configurationDoc = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

const cell = (s: string) => s.replaceAll('|', '\\|');

/** The configuration reference as Markdown: one row per variable, in the schema's order, the first two columns aligned. */
export function renderConfigTable(): string {
  const rows = [
    ['variable', 'default', 'meaning'],
    ...configReference().map((r) => [`\`${r.variable}\``, cell(r.default), cell(r.meaning)]),
  ];
  // The first two columns are aligned; the long last one is not padded.
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const line = (r: string[]) =>
    `| ${r.map((v, c) => v.padEnd(v.length + (widths[c] ?? 0) - [...v].length)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [
    '# Configuration',
    '',
    '<!-- Generated from platform/config.ts by `npm run config:table`; edit the schema there, not this file. -->',
    '',
    'Read once from the environment (`platform/config.ts`); a bad value stops start-up with its name, and every',
    'problem is reported at once. An empty value counts as unset.',
    '',
    line(head!),
    line([...widths.map((w) => '-'.repeat(w)), '---']),
    ...body.map(line),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(configurationDoc, renderConfigTable());
  console.log(`wrote ${configurationDoc}`);
}

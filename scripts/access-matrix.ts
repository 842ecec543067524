import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Access } from '../http/access.js';
import { declaredRouteAccess } from '../http/openapi-document.js';
import { STAFF_ROLES, type StaffRole } from '../workflows/contracts/task.js';

/** Writes docs/access-matrix.md from the routes' declarations (`npm run access:matrix`); test/access-matrix.test.ts keeps them equal. */
export const accessMatrixDoc = fileURLToPath(new URL('../docs/access-matrix.md', import.meta.url));

const CALLERS = ['applicant', ...STAFF_ROLES] as const;

/** What one kind of caller gets on a route of this access: yes, only their own cases or authority, or no. */
function cell(
  access: Access,
  roles: readonly StaffRole[] | undefined,
  caller: (typeof CALLERS)[number],
  objectionAuthority = false,
): string {
  if (access === 'public') return 'yes';
  if (access === 'webhook') return 'signed webhook';
  const staff = caller !== 'applicant';
  if (staff && roles && !roles.includes(caller)) return '–';
  switch (access) {
    case 'applicant':
      return staff ? '–' : 'yes';
    case 'staff':
      return staff ? 'own authority' : '–';
    case 'case:party':
      return staff ? 'own authority' : 'own case';
    case 'case:applicant':
      return staff ? '–' : 'own case';
    case 'case:staff':
      // The objection authority of another authority (case workers and supervisors), where the service names one.
      return !staff
        ? '–'
        : objectionAuthority && (caller === 'case_worker' || caller === 'supervisor')
          ? 'own or objection authority'
          : 'own authority';
    default:
      return access === `role:${caller}` ? 'own authority' : '–';
  }
}

export async function renderAccessMatrix(): Promise<string> {
  const routes = (await declaredRouteAccess()).sort(
    (a, b) => a.route.split(' ')[1]!.localeCompare(b.route.split(' ')[1]!) || a.route.localeCompare(b.route),
  );
  const rows = [
    ['route', ...CALLERS.map((c) => `\`${c}\``)],
    ...routes.map((r) => [`\`${r.route}\``, ...CALLERS.map((c) => cell(r.access, r.roles, c, r.objectionAuthority))]),
  ];
  // Columns aligned, as the formatter (Biome) writes Markdown tables.
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const row = (r: string[]) => `| ${r.map((v, c) => v + ' '.repeat(widths[c]! - [...v].length)).join(' | ')} |`;
  return [
    '# Who may call what: the role matrix',
    '',
    "<!-- Generated from the routes' `config.access` and `config.roles` by `npm run access:matrix`; edit the declarations, not this file. -->",
    '',
    "Every route declares its access once (`http/access.ts`), and the case file's panels their staff roles",
    '(`PANEL_ROLES` in `http/workbench/case-file.ts`); the one access check refuses everything else. "own authority":',
    'staff see only cases of their own authority (another authority\'s case does not exist for them: 404); "own case":',
    'the applicant only their own; "own or objection authority": also the case workers and supervisors of the authority',
    "that decides the case's objection where the service names another one (`lifecycle.objection.authority.authorityId`),",
    'once the case has an objection. Every route that admits staff names its roles (`config.roles`; without, the API does',
    'not start); `test/access-matrix.test.ts` holds the reviewed matrix, `test/http-access.test.ts` calls every route',
    'with every role and `test/trust-boundaries.test.ts` every panel with every role.',
    '',
    row(rows[0]!),
    row(widths.map((w) => '-'.repeat(w))),
    ...rows.slice(1).map(row),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(accessMatrixDoc, await renderAccessMatrix());

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessMatrixDoc, renderAccessMatrix } from '../scripts/access-matrix.js';

describe('role matrix (docs/access-matrix.md)', () => {
  it('is generated from the routes’ declarations and up to date', async () => {
    const generated = await renderAccessMatrix();
    expect(
      readFileSync(accessMatrixDoc, 'utf8') === generated,
      'docs/access-matrix.md differs from the declarations: run `npm run access:matrix` and commit the result',
    ).toBe(true);
    // The rows the issue named: the budget office sees payments, not the application; manual delivery is case work.
    const cells = (route: string) =>
      generated
        .split('\n')
        .find((l) => l.startsWith(`| \`${route}\``))
        ?.split('|')
        .slice(2, -1)
        .map((c) => c.trim());
    const caseWork = ['–', 'own authority', 'own authority', '–', '–'];
    expect(cells('GET /cases/:caseId/file/application')).toEqual(caseWork);
    expect(cells('GET /cases/:caseId/file/payments')).toEqual([
      '–',
      'own authority',
      'own authority',
      '–',
      'own authority',
    ]);
    expect(cells('POST /tasks/:taskId/manual-delivery')).toEqual(caseWork);
  });
});

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_REGISTERS, serviceFoldersIn } from '../app/extensions.js';
import { findService } from '../services/catalogue.js';
import { runExample } from '../services/examples.js';
import { loadServiceFolder } from '../services/service-folder.js';

const samples = serviceFoldersIn(fileURLToPath(new URL('../services/samples', import.meta.url)));

describe('the samples are service folders like any team’s', () => {
  it('finds all three', () => {
    expect(samples.map((s) => s.split('/').at(-1))).toEqual([
      'anwohnerparken',
      'gewerbeanmeldung',
      'lastenrad-foerderung',
    ]);
  });

  for (const folder of samples) {
    it(`${folder.split('/').at(-1)}: passes the start-up checks, matches the catalogue, and every example gets its expected outcome`, async () => {
      const loaded = await loadServiceFolder(folder, { knownRegisters: BUILT_IN_REGISTERS, knownStepActivities: [] });
      const inCatalogue = findService(loaded.service.key);
      expect(loaded.service.authorities).toEqual(inCatalogue.authorities);
      expect(loaded.service.ruleSet).toEqual(inCatalogue.ruleSet);
      expect(loaded.rulesDir).toBe(join(folder, 'rules'));
      expect(loaded.examples.length).toBeGreaterThanOrEqual(2);
      for (const ex of loaded.examples) {
        const run = await runExample(inCatalogue, ex);
        expect(run.mismatches, `${ex.name}`).toEqual([]);
      }
    });
  }

  it('an example whose expectation is wrong fails, naming what differs', async () => {
    const folder = samples.find((s) => s.endsWith('anwohnerparken'))!;
    const { service, examples } = await loadServiceFolder(folder, {
      knownRegisters: BUILT_IN_REGISTERS,
      knownStepActivities: [],
    });
    const ex = examples.find((e) => e.name === 'resident-approved')!;
    const run = await runExample(service, { ...ex, expected: { ...ex.expected, outcome: 'reject', feeCents: 1 } });
    expect(run.ok).toBe(false);
    expect(run.mismatches).toEqual(['feeCents: expected 1, got 3060', 'outcome: expected "reject", got "approve"']);
  });
});

import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { BUILT_IN_REGISTERS, loadExtensionModules } from '../extensions/compose.js';
import { runExample } from '../services/examples.js';
import { loadServiceFolder, ServiceFolderError } from '../services/service-folder.js';
import { registerRuleSetDir } from '../rules/rule-set.js';

/**
 * `npm run service:check -- <folder> [--extensions <module,…>]`: validates a service folder as start-up would and runs
 * its example cases through schema and rules. Exit code 0 only if the folder is sound and every example passes.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { extensions: { type: 'string' } } });
  const folder = positionals[0];
  if (!folder) throw new Error('usage: npm run service:check -- <service folder> [--extensions ./my-extensions.ts]');
  const config = loadConfig();
  const paths = values.extensions ? values.extensions.split(',').filter(Boolean) : config.extensions;
  const extensions = await loadExtensionModules(paths, { dataDir: config.dataDir });
  const loaded = await loadServiceFolder(folder, {
    knownRegisters: [...BUILT_IN_REGISTERS, ...Object.keys(extensions.registers ?? {})],
    knownStepActivities: Object.keys(extensions.steps ?? {}),
  });
  registerRuleSetDir(loaded.service.ruleSet.id, loaded.rulesDir);
  const { service } = loaded;
  console.log(
    `✓ ${service.name} (${service.key}): definition, schema, rule set ${service.ruleSet.id} v${service.ruleSet.versions.map((v) => v.version).join(', v')}, ${Object.keys(service.authorities).length} authorities`,
  );
  let failed = 0;
  for (const ex of loaded.examples) {
    const run = await runExample(service, ex);
    if (!run.ok) failed++;
    console.log(
      `${run.ok ? '✓' : '✗'} example ${run.name}: ${run.actual.valid ? `${run.actual.outcome}, fee ${run.actual.feeCents} ct` : `refused at ${run.actual.errors.join(', ')}`}`,
    );
    for (const m of run.mismatches) console.log(`    ${m}`);
  }
  if (loaded.examples.length === 0) console.log('! no examples: add examples/*.json with the outcome each must get');
  console.log(
    failed
      ? `✗ ${failed} of ${loaded.examples.length} examples failed`
      : `✓ ${loaded.examples.length} examples as expected`,
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ServiceFolderError ? `✗ ${err.message}` : `✗ ${(err as Error).message}`);
    process.exit(1);
  },
);

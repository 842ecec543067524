import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { withFreeDevPorts } from '../dev/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.js';
import { sampleRegisterData } from '../dev/demo/sample-applications.js';
import { startEngine } from '../dev/engine.js';
import { exampleAnswers, installQuietRuntime, runExamplesEndToEnd } from '../dev/examples-e2e.js';
import type { ServiceExample } from '../services/service-folder.js';
import { BUILT_IN_REGISTERS, loadExtensionModules } from '../app/extensions.js';
import { runExample } from '../services/examples.js';
import { loadServiceFolder, ServiceFolderError } from '../services/service-folder.js';
import { registerRuleSetDir } from '../rules/rule-set.js';

/**
 * `npm run service:check -- <folder> [--extensions <module,…>] [--e2e]`: validates a service folder as start-up would
 * and runs its example cases through schema and rules; with `--e2e` also as real cases through the embedded engine.
 * Exit code 0 only if the folder is sound and every example passes.
 */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { extensions: { type: 'string' }, e2e: { type: 'boolean', default: false } },
  });
  const folder = positionals.filter((a) => a !== '--')[0];
  if (!folder)
    throw new Error('usage: npm run service:check -- <service folder> [--extensions ./my-extensions.ts] [--e2e]');
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
  if (!values.e2e) return failed ? 1 : 0;
  return (await endToEnd(folder, paths, loaded.service, loaded.examples)) || failed ? 1 : 0;
}

/**
 * The examples as real cases on the embedded engine (its own data folder and free ports, so a running demo is left
 * alone; DATABASE_URL and TEMPORAL_ADDRESS, when set, are used instead of the embedded ones). Registers and step
 * activities answer as each example says. Returns the number of examples that did not come out as expected.
 */
async function endToEnd(
  folder: string,
  extensions: readonly string[],
  service: Parameters<typeof exampleAnswers>[0],
  examples: ServiceExample[],
): Promise<number> {
  console.log(`… end to end: starting the embedded engine with ${service.name}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'service-check-'));
  const env = await withFreeDevPorts({
    ...process.env,
    ENGINE_PROFILE: 'demo',
    DATA_DIR: dataDir,
    SERVICE_DIRS: folder,
    EXTENSIONS: extensions.join(','),
    METRICS_PORT: 'off',
    PAYMENT_SANDBOX_OUTCOME: 'paid',
    PAYMENT_SANDBOX_DELAY_MS: '0',
    LOG_FILE: join(dataDir, 'engine.log'),
    // Its own task queue: two checks against one Temporal server (TEMPORAL_ADDRESS) never take each other's cases.
    TASK_QUEUE: `service-check-${randomUUID()}`,
  });
  let current: ServiceExample | undefined;
  installQuietRuntime();
  const engine = await startEngine(loadConfig(env), {
    registerData: sampleRegisterData(),
    extensions: exampleAnswers(service, () => current),
  });
  try {
    const runs = await runExamplesEndToEnd(engine, service, examples, { setCurrent: (ex) => (current = ex) });
    for (const run of runs) {
      console.log(`${run.ok ? '✓' : '✗'} e2e ${run.name}: ${run.summary}${run.caseId ? ` [case ${run.caseId}]` : ''}`);
      for (const m of run.mismatches) console.log(`    ${m}`);
    }
    const failed = runs.filter((r) => !r.ok).length;
    console.log(
      failed
        ? `✗ end to end: ${failed} of ${runs.length} examples failed`
        : `✓ end to end: ${runs.length} examples as expected`,
    );
    return failed;
  } finally {
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ServiceFolderError ? `✗ ${err.message}` : `✗ ${(err as Error).message}`);
    process.exit(1);
  },
);

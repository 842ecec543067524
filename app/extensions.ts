import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActivityDeps } from '../activities/deps.js';
import { createActivities } from '../activities/index.js';
import { allRegistersAt, RegistersByName } from '../adapters/registers.js';
import { registerRuleSetDir } from '../rules/rule-set.js';
import { listServices, registerService } from '../services/catalogue.js';
import { loadServiceFolder, type LoadedServiceFolder } from '../services/service-folder.js';
import type { EngineExtensions, ExtensionContext, ExtensionModule, StepActivity } from '../adapters/extensions.js';
import { applicationFrom } from '../activities/antrag.js';

/** Registers the engine itself can ask: over HTTP (population, vehicles, trade) and the samples' seeded ones. */
export const BUILT_IN_REGISTERS: readonly string[] = [
  ...Object.keys(allRegistersAt('http://registers.invalid')),
  'uploads',
  'gzr',
  'permits',
];

export class ExtensionError extends Error {
  override name = 'ExtensionError';
}

/** Several extension modules as one; two that claim the same register or step activity are refused. */
export function mergeExtensions(list: EngineExtensions[]): EngineExtensions {
  const out: EngineExtensions = {};
  for (const e of list) {
    for (const kind of ['payments', 'postbox', 'sealer', 'archive'] as const) {
      if (e[kind] && out[kind]) throw new ExtensionError(`two extensions provide the ${kind} adapter`);
      if (e[kind]) Object.assign(out, { [kind]: e[kind] });
    }
    for (const kind of ['registers', 'steps'] as const) {
      for (const [name, value] of Object.entries(e[kind] ?? {})) {
        if (out[kind]?.[name])
          throw new ExtensionError(
            `two extensions provide ${kind === 'steps' ? 'the step activity' : 'the register'} "${name}"`,
          );
        out[kind] = { ...out[kind], [name]: value } as never;
      }
    }
  }
  return out;
}

/** The engine's adapters with the team's laid over them; registers the extensions don't name stay the engine's. */
export function applyExtensions(deps: ActivityDeps, e: EngineExtensions): ActivityDeps {
  return {
    ...deps,
    registers:
      e.registers && Object.keys(e.registers).length
        ? new RegistersByName(e.registers, deps.registers)
        : deps.registers,
    ...(e.payments && { payments: { ...deps.payments, provider: e.payments } }),
    ...(e.postbox && { postbox: e.postbox }),
    ...(e.sealer && { sealer: e.sealer }),
    ...(e.archive && { archive: e.archive }),
  };
}

/** The step activities to register with the worker, refused where a name is one of the engine's own activities. */
export function stepActivities(deps: ActivityDeps, e: EngineExtensions): Record<string, StepActivity> {
  const builtIn = createActivities(deps);
  for (const name of Object.keys(e.steps ?? {})) {
    if (Object.hasOwn(builtIn, name))
      throw new ExtensionError(`step activity "${name}" has the name of an engine activity; choose another`);
  }
  // The case hands a step the Akte's reference; the team's step gets the application itself.
  return Object.fromEntries(
    Object.entries(e.steps ?? {}).map(([name, step]): [string, StepActivity] => [
      name,
      async ({ antrag, ...i }) =>
        step({
          ...i,
          application: await applicationFrom(deps.db, { caseId: i.caseId, antrag, application: i.application }),
        }),
    ]),
  );
}

/** Imports extension modules (`EXTENSIONS=./a.ts,./b.js`): each default-exports extensions or a function building them. */
export async function loadExtensionModules(paths: readonly string[], ctx: ExtensionContext): Promise<EngineExtensions> {
  const list: EngineExtensions[] = [];
  for (const p of paths) {
    const file = resolve(p);
    if (!existsSync(file)) throw new ExtensionError(`extension module ${file} does not exist`);
    const mod = (await import(pathToFileURL(file).href)) as { default?: ExtensionModule };
    if (!mod.default)
      throw new ExtensionError(
        `extension module ${file} has no default export (export default defineExtensions({ … }))`,
      );
    list.push(typeof mod.default === 'function' ? await mod.default(ctx) : mod.default);
  }
  return mergeExtensions(list);
}

/** A folder is a service when it holds a definition; otherwise each of its sub-folders that does is one. */
export function serviceFoldersIn(dir: string): string[] {
  const isService = (d: string) =>
    ['service.ts', 'service.mts', 'service.js', 'service.mjs', 'service.json'].some((f) => existsSync(join(d, f)));
  if (!existsSync(dir)) throw new ExtensionError(`service folder ${resolve(dir)} does not exist`);
  if (isService(dir)) return [resolve(dir)];
  return readdirSync(dir)
    .map((n) => resolve(dir, n))
    .filter((d) => statSync(d).isDirectory() && isService(d))
    .sort();
}

/** Loads, validates and adds every service under the folders to the catalogue; the first broken one stops start-up. */
export async function loadServiceDirs(dirs: readonly string[], e: EngineExtensions): Promise<LoadedServiceFolder[]> {
  const ctx = {
    knownRegisters: [...BUILT_IN_REGISTERS, ...Object.keys(e.registers ?? {})],
    knownStepActivities: Object.keys(e.steps ?? {}),
  };
  const loaded: LoadedServiceFolder[] = [];
  for (const folder of dirs.flatMap(serviceFoldersIn)) {
    const l = await loadServiceFolder(folder, ctx);
    if (listServices().some((s) => s.ruleSet.id === l.service.ruleSet.id))
      throw new ExtensionError(`${folder}: rule set id "${l.service.ruleSet.id}" is already taken`);
    registerService(l.service);
    registerRuleSetDir(l.service.ruleSet.id, l.rulesDir);
    loaded.push(l);
  }
  return loaded;
}

export interface Plugins {
  extensions: EngineExtensions;
  services: LoadedServiceFolder[];
}

/**
 * Start-up: the configured extension modules, then the configured service folders checked against them. `extra`
 * (passed at composition) wins over the modules: its registers and steps by name, its other adapters outright.
 */
export async function loadPlugins(
  o: {
    extensions: readonly string[];
    serviceDirs: readonly string[];
    dataDir: string;
  },
  extra: EngineExtensions = {},
): Promise<Plugins> {
  const loaded = await loadExtensionModules(o.extensions, { dataDir: o.dataDir });
  const extensions: EngineExtensions = {
    ...loaded,
    ...extra,
    registers: { ...loaded.registers, ...extra.registers },
    steps: { ...loaded.steps, ...extra.steps },
  };
  return { extensions, services: await loadServiceDirs(o.serviceDirs, extensions) };
}

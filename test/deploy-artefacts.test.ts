import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { PAYLOAD_KEY_VARIABLES } from '../app/production-profile.js';
import { CONFIG_VARIABLES } from '../platform/config.js';
import { importGraph, PRODUCTION_ENTRIES } from './support/import-graph.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
/** Settings the engine reads: platform/config.ts's schema, and the payload key ring the production profile checks. */
const known = new Set([...CONFIG_VARIABLES, ...PAYLOAD_KEY_VARIABLES]);
/** Scripts another engineer's branch adds (the codec server); required once that branch is merged. */
const fromOtherBranches = scripts.includes('codec-server') ? [] : ['codec-server'];

type Doc = {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
};
const manifests: Array<{ file: string; doc: Doc }> = readdirSync(join(root, 'deploy/k8s')).flatMap((file) =>
  parseAllDocuments(read(`deploy/k8s/${file}`)).map((d) => {
    expect(d.errors, file).toEqual([]);
    return { file, doc: d.toJS() as Doc };
  }),
);

interface Container {
  name: string;
  command?: string[];
  envFrom?: Array<Record<string, { name: string }>>;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: object; limits?: { memory?: string } };
}
const podOf = (d: Doc) => (d.spec as { template: { spec: { containers: Container[] } } }).template.spec;
const npmScript = (command: string[] | undefined) => {
  expect(command?.slice(0, 2)).toEqual(['npm', 'run']);
  return command![2]!;
};

describe('deployment artefacts', () => {
  it('Kubernetes: API and worker run npm scripts the tests run, with probes, resources and config from ConfigMap and Secret', () => {
    const workloads = manifests.filter((m) => m.doc.kind === 'Deployment' || m.doc.kind === 'Job');
    const byName = new Map(workloads.flatMap((m) => podOf(m.doc).containers.map((c) => [c.name, c] as const)));
    expect([...byName.keys()].sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [name, c] of byName) {
      expect(scripts, name).toContain(npmScript(c.command));
      expect(c.resources?.requests, name).toBeDefined();
      expect(c.resources?.limits?.memory, name).toBeDefined();
      expect(
        c.envFrom?.some((e) => e['secretRef']?.name === 'ozg-engine-secrets'),
        name,
      ).toBe(true);
      if (name === 'migrate') continue;
      expect(c.livenessProbe?.httpGet?.path).toBe('/livez');
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    }
  });

  it('Kubernetes: every setting is one the engine knows; secrets are not in the ConfigMap', () => {
    const config = manifests.find((m) => m.doc.kind === 'ConfigMap')!.doc.data!;
    const secrets = manifests
      .filter((m) => m.doc.kind === 'Secret')
      .flatMap((m) => Object.keys(m.doc.stringData ?? {}));
    const unknown = [...Object.keys(config), ...secrets].filter((k) => !known.has(k));
    expect(unknown).toEqual([]);
    expect(
      Object.keys(config).filter((k) =>
        /^(DATABASE_URL|.*SECRET.*|.*PASSPHRASE.*|PAYLOAD_KEYS|TEMPORAL_API_KEY)$/.test(k),
      ),
    ).toEqual([]);
    expect(config['ENGINE_PROFILE']).toBe('production');
  });

  it('compose: Temporal on PostgreSQL with its UI from official images; engine services run existing npm scripts with known settings', () => {
    const compose = parse(read('deploy/compose.yaml'), { merge: true }) as {
      services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }>;
    };
    const s = compose.services;
    expect(s['temporal']?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(s['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(s['postgres']?.image).toMatch(/^postgres:/);
    const engine = Object.entries(s).filter(([, svc]) => svc.image?.startsWith('ozg-case-engine'));
    expect(engine.map(([n]) => n).sort()).toEqual(['api', 'codec', 'migrate', 'worker']);
    for (const [name, svc] of engine) {
      const script = npmScript(svc.command);
      if (!fromOtherBranches.includes(script)) expect(scripts, name).toContain(script);
      expect(
        Object.keys(svc.environment ?? {}).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
    }
  });

  it('Dockerfile: multi-stage, non-root, starts an npm script, and copies every production module but no development folder', () => {
    const dockerfile = read('deploy/Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[];
    expect(scripts).toContain(npmScript(cmd));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    const isCopied = (file: string) => copied.some((c) => file === c || file.startsWith(`${c}/`));
    const needed = [...importGraph([...PRODUCTION_ENTRIES, 'workflows/index.ts']).keys()];
    expect(needed.filter((f) => !isCopied(f))).toEqual([]);
    expect(copied.filter((c) => /^(dev|sandbox|demo|test|main\.ts|\*\.ts)$/.test(c))).toEqual([]);
  });
});

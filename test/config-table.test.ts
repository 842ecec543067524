import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, configReference, loadConfig } from '../platform/config.js';
import { configurationDoc, renderConfigTable } from '../scripts/config-table.js';

/** The variables a Markdown table names in its first column. */
const tableVariables = (markdown: string): string[] =>
  [...markdown.matchAll(/^\| `([A-Z][A-Z0-9_]*)` /gm)].map((m) => m[1]!);

/** What differs between the schema's variables and a table's: each one missing from either side, named. */
function tableProblems(markdown: string, variables: readonly string[]): string[] {
  const listed = tableVariables(markdown);
  return [
    ...variables.filter((v) => !listed.includes(v)).map((v) => `${v}: in platform/config.ts but not in the table`),
    ...listed.filter((v) => !variables.includes(v)).map((v) => `${v}: in the table but not in platform/config.ts`),
    ...listed.filter((v, i) => listed.indexOf(v) !== i).map((v) => `${v}: in the table twice`),
  ];
}

describe('configuration reference (docs/configuration.md)', () => {
  it('is what the schema generates', () => {
    const written = readFileSync(configurationDoc, 'utf8');
    expect(
      written,
      'docs/configuration.md differs from platform/config.ts: run `npm run config:table` and commit the result',
    ).toBe(renderConfigTable());
  });

  it('lists every variable of the schema, and no other', () => {
    const problems = tableProblems(readFileSync(configurationDoc, 'utf8'), CONFIG_VARIABLES);
    expect(problems, 'run `npm run config:table`').toEqual([]);
  });

  it('notices a variable missing from the table, or one the schema does not have', () => {
    const table = renderConfigTable();
    const withoutOne = table
      .split('\n')
      .filter((l) => !l.startsWith('| `TSA_URL` '))
      .join('\n');
    expect(tableProblems(withoutOne, CONFIG_VARIABLES)).toEqual([
      'TSA_URL: in platform/config.ts but not in the table',
    ]);
    const withStranger = `${table}| \`NOT_A_SETTING\` | unset | nothing |\n`;
    expect(tableProblems(withStranger, CONFIG_VARIABLES)).toEqual([
      'NOT_A_SETTING: in the table but not in platform/config.ts',
    ]);
    expect(tableProblems(table, [...CONFIG_VARIABLES, 'NEW_SETTING'])).toEqual([
      'NEW_SETTING: in platform/config.ts but not in the table',
    ]);
  });

  it('gives every variable a meaning and a default, without machine paths', () => {
    const rows = configReference();
    expect(rows.map((r) => r.variable)).toEqual(CONFIG_VARIABLES);
    expect(rows.filter((r) => !r.meaning.trim()).map((r) => r.variable)).toEqual([]);
    expect(rows.filter((r) => !r.default.trim()).map((r) => r.variable)).toEqual([]);
    expect(renderConfigTable()).not.toContain(process.cwd());
  });
});

describe('loadConfig', () => {
  it('takes development defaults under the environment, validated alike, and leaves them out otherwise', () => {
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(loadConfig({}, { METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(loadConfig({ METRICS_PORT: 'off' }, { METRICS_PORT: '9464' }).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '' }, { METRICS_PORT: '9464' }).metricsPort).toBeUndefined();
    expect(loadConfig({ RATE_LIMIT_PUBLIC_MAX: '7' }, { RATE_LIMIT_PUBLIC_MAX: '500' }).rateLimit.publicMax).toBe(7);
    expect(loadConfig({}, { RATE_LIMIT_PUBLIC_MAX: '500' }).rateLimit.publicMax).toBe(500);
    expect(() => loadConfig({}, { HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
  });

  it('reports every problem between settings at once', () => {
    const load = () =>
      loadConfig({
        SEAL_DIR: '/seals',
        BLOB_STORE: 's3',
        TEMPORAL_TLS_CERT_FILE: '/c.pem',
        FIT_CONNECT_CLIENT_ID: 'x',
      });
    expect(load).toThrow(ConfigError);
    const message = (() => {
      try {
        load();
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message?.split('\n')).toEqual([
      'Invalid configuration:',
      '  TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE: set both for mutual TLS, or neither',
      '  SEAL_TRUST_ANCHORS: required with SEAL_DIR (PEM file of the CA certificates that verify the seals)',
      '  S3_BUCKET: required with BLOB_STORE=s3',
      expect.stringMatching(/^ {2}FIT_CONNECT_SUBMISSION_URL, .*: required with FIT_CONNECT_CLIENT_ID/),
    ]);
  });

  it('keeps the shape consumers read', () => {
    const c = loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.2', FIT_CONNECT_POLL_MS: '500' });
    expect(c.rateLimit).toEqual({ publicMax: 100, publicWindowMs: 60_000, trustProxy: ['10.0.0.1', '10.0.0.2'] });
    expect(c.fitConnectSandbox).toEqual({ on: true, port: 8098, pollMs: 500 });
    expect(loadConfig({}).fitConnectSandbox.pollMs).toBe(2_000);
    expect(c.blobStore.kind).toBe('folder');
    expect(loadConfig({ ENGINE_PROFILE: 'production' }).blobStore).toEqual({ kind: 'postgres' });
    expect(c.publicBaseUrl).toBe('http://127.0.0.1:8080');
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../http/openapi-document.js';

interface Operation {
  parameters?: Array<{ name: string; in: string; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const bodyless = new Set(['get', 'head', 'delete']);

/** Every operation of the document, as "METHOD /path" with its definition. */
async function operations(): Promise<Array<[string, Operation]>> {
  const doc = (await openApiDocument()) as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  );
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3 document, every $ref resolved', async () => {
    const doc = await openApiDocument();
    // swagger-parser validates against the OpenAPI 3.0 schema and dereferences every $ref.
    const parsed = (await SwaggerParser.validate(structuredClone(doc) as never)) as { openapi: string };
    expect(parsed.openapi).toBe('3.0.3');
  });

  it('gives every operation a success answer with a schema, and its refusals as problem details', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(30);
    const gaps: string[] = [];
    for (const [name, op] of ops) {
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((c) => /^2\d\d$/.test(c));
      if (success.length === 0) gaps.push(`${name}: no 2xx answer`);
      for (const code of success) {
        if (code === '204') continue;
        const content = responses[code]?.content ?? {};
        if (Object.keys(content).length === 0) gaps.push(`${name}: ${code} without a response schema`);
        for (const [type, media] of Object.entries(content))
          if (!media.schema) gaps.push(`${name}: ${code} ${type} without a schema`);
      }
      for (const code of ['401', '500']) if (!responses[code]) gaps.push(`${name}: refusal ${code} not documented`);
      for (const [code, r] of Object.entries(responses)) {
        if (!/^[45]\d\d$/.test(code)) continue;
        const problem = r.content?.['application/json']?.schema as { $ref?: string; title?: string } | undefined;
        if (!problem || !(problem.$ref?.endsWith('Problem') || problem.title === 'Problem'))
          gaps.push(`${name}: ${code} is not a problem detail`);
      }
      if (!bodyless.has(name.split(' ')[0]!.toLowerCase())) {
        const body = op.requestBody?.content ?? {};
        const carriesBody = Object.keys(body).length > 0;
        if (!carriesBody) gaps.push(`${name}: request body not documented`);
        for (const [type, media] of Object.entries(body))
          if (!media.schema) gaps.push(`${name}: request ${type} without a schema`);
      }
      for (const p of op.parameters ?? []) if (!p.schema) gaps.push(`${name}: parameter ${p.name} without a schema`);
      for (const p of op.parameters ?? [])
        if (p.in === 'path' && !name.includes(`{${p.name}}`))
          gaps.push(`${name}: path parameter ${p.name} not in the path`);
      if (/\{/.test(name) && !(op.parameters ?? []).some((p) => p.in === 'path'))
        gaps.push(`${name}: path parameters not documented`);
    }
    expect(gaps).toEqual([]);
  });

  it("passes Redocly's recommended rules with no problem: summary, operationId and security on every operation, servers", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ozg-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(await openApiDocument()));
      const redocly = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));
      const { stdout } = await promisify(execFile)(redocly, ['lint', '--extends=recommended', '--format=json', file], {
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
      const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
      expect(report.problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

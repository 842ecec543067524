import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../http/openapi-document.js';
import { createCaseEngineClient, type Problem } from '../client/http/index.js';
import { generateClientTypes, schemaFile } from '../scripts/generate-client.js';
import { withWorker } from './harness.js';
import { apiFor, applicantToken, idp } from './http-helpers.js';
import { applicationOf } from './samples.js';

describe('the generated HTTP client', () => {
  it('is generated from the current OpenAPI document: the committed types are not stale', async () => {
    expect(await readFile(schemaFile, 'utf8'), 'run `npm run client:generate` and commit client/http/schema.d.ts').toBe(
      await generateClientTypes(),
    );
  });

  it('documents POST /cases completely: request body, 202/200 answer and every refusal', async () => {
    const doc = (await openApiDocument()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    };
    await SwaggerParser.validate(structuredClone(doc) as never);
    const submit = doc.paths['/cases']!['post']!;
    expect(submit.requestBody).toMatchObject({
      content: {
        'application/json': { schema: { required: ['serviceKey', 'identityToken', 'application'] } },
      },
    });
    expect(Object.keys(submit.responses).sort()).toEqual([
      '200',
      '202',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
    ]);
  });

  it('submits and reads a case against a listening engine, typed end to end; refusals arrive as problem details', async () => {
    await withWorker(async (e) => {
      const app = await apiFor(e);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const a = applicationOf('resident');
        const portal = createCaseEngineClient(url);
        const identityToken = await idp.issue({ subject: a.identity.subject, trustLevel: a.identity.trustLevel });
        const submitted = await portal.POST('/cases', {
          body: {
            serviceKey: a.serviceKey,
            authorityId: a.authorityId,
            identityToken,
            application: a.application,
            consent: a.consent,
          },
        });
        expect(submitted.response.status).toBe(202);
        const caseId = submitted.data!.caseId;
        expect(submitted.data).toMatchObject({ workflowId: `case:${caseId}`, ruleSetVersion: '1', duplicate: false });

        const applicant = createCaseEngineClient(url, { token: await applicantToken(a.identity.subject) });
        await e.cases.result(caseId);
        const state = await applicant.GET('/cases/{caseId}', { params: { path: { caseId } } });
        expect(state.data).toMatchObject({ caseId, status: 'closed', outcome: 'approved' });

        const refused = await portal.POST('/cases', {
          body: {
            serviceKey: a.serviceKey,
            authorityId: a.authorityId,
            identityToken,
            application: { ...a.application, zone: 7 },
          },
        });
        expect(refused.response.status).toBe(422);
        expect(refused.error as Problem).toMatchObject({
          status: 422,
          code: 'invalid_application',
          errors: [expect.objectContaining({ pointer: '/application/zone' })],
        });
      } finally {
        await app.close();
      }
    });
  });
});

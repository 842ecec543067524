import { createHash, randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { findAkte, listAkteDocuments } from '../db/queries/akte.js';
import { buildHttpApi } from '../http/http-api.js';
import { CaseFiles } from '../http/workbench/case-file.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { client, db, publicBaseUrl, type TestEngine, withWorker } from './harness.js';
import { applicantToken, call, intakeNotUnderTest, staffToken, tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';

const STADT = 'stadt-musterstadt';

const apiOf = (e: TestEngine): Promise<FastifyInstance> =>
  buildHttpApi({
    cases: e.cases,
    tasks: e.tasks,
    auth: jwtVerifier(tokens.keys, tokenAudience),
    identity: intakeNotUnderTest,
    workbench: { files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }), db },
    evidence: { db, documents: e.deps.documents, uploadMaxBytes: 1024 * 1024 },
  });

async function closedCase(e: TestEngine, submission: ReturnType<typeof applicationOf>) {
  const { caseId } = await e.cases.submit({ ...submission, idempotencyKey: randomUUID() });
  await e.cases.result(caseId);
  await waitFor(async () => (await e.cases.view(caseId))?.status === 'closed', { what: 'the closed case' });
  return caseId;
}

/** Strings in an application that identify its person: names, streets, plates (leaves of the JSON, 4+ characters). */
const leavesOf = (v: unknown): string[] =>
  v !== null && typeof v === 'object'
    ? Object.values(v).flatMap(leavesOf)
    : typeof v === 'string' && v.length >= 4
      ? [v]
      : [];

describe('Auskunft nach Art. 15 DSGVO', () => {
  it('gives the applicant a ZIP of their cases, documents, decisions, register retrievals and reads, and nothing of anyone else', async () => {
    await withWorker(async (e) => {
      const api = await apiOf(e);
      try {
        const a = applicationOf('resident', 32);
        const b = applicationOf('resident', 33);
        expect(a.identity.subject).not.toBe(b.identity.subject);
        const aCase = await closedCase(e, a);
        const bCase = await closedCase(e, b);
        // Staff read both files: each applicant learns of the reads of their own.
        const anna = await staffToken('sb.anna', STADT);
        for (const c of [aCase, bCase])
          expect((await call(api, 'GET', `/cases/${c}/file/application`, anna)).status).toBe(200);

        const aToken = await applicantToken(a.identity.subject);
        const res = await api.inject({
          method: 'GET',
          url: `/applicants/${encodeURIComponent(a.identity.subject)}/data-export`,
          headers: { authorization: `Bearer ${aToken}` },
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/zip');
        const files = unzipSync(new Uint8Array(res.rawPayload));
        const names = Object.keys(files);
        const aAkte = (await findAkte(db, { caseId: aCase }))!;
        const dir = `faelle/${aAkte.aktenzeichen.replace(/[^\w.-]+/g, '_')}`;
        expect(names).toEqual(
          expect.arrayContaining([
            'LIESMICH.txt',
            'index.json',
            'faelle.json',
            'zugriffe.json',
            `${dir}/01-antrag.json`,
            `${dir}/entscheidungen.json`,
            `${dir}/registerabrufe.json`,
          ]),
        );
        const text = (n: string) => strFromU8(files[n]!);
        // The index lists every other file with its checksum, and the README names them.
        const index = JSON.parse(text('index.json')) as { files: Array<{ path: string; sha256: string }> };
        expect(index.files.map((f) => f.path).sort()).toEqual(names.filter((n) => n !== 'index.json').sort());
        for (const f of index.files)
          expect(createHash('sha256').update(files[f.path]!).digest('hex'), f.path).toBe(f.sha256);
        expect(text('LIESMICH.txt')).toContain('Art. 15 DSGVO');

        const antrag = JSON.parse(text(`${dir}/01-antrag.json`)) as { application: unknown; fields: unknown[] };
        expect(antrag.application).toEqual(a.application);
        expect(antrag.fields.length).toBeGreaterThan(2);
        const bescheid = names.find((n) => n.startsWith(`${dir}/`) && n.includes('-bescheid-'));
        expect(strFromU8(files[bescheid!]!.slice(0, 5))).toBe('%PDF-');
        const decisions = JSON.parse(text(`${dir}/entscheidungen.json`)) as { rules: Array<{ firedRules: unknown[] }> };
        expect(decisions.rules[0]?.firedRules.length).toBeGreaterThan(0);
        expect(JSON.parse(text(`${dir}/registerabrufe.json`))).not.toEqual([]);
        const reads = JSON.parse(text('zugriffe.json')) as Array<{ caseId: string; who: { id: string } }>;
        expect(reads).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ caseId: aCase, who: expect.objectContaining({ id: 'sb.anna' }) }),
          ]),
        );
        expect(JSON.parse(text('faelle.json'))).toEqual(
          expect.arrayContaining([expect.objectContaining({ caseId: aCase, aktenzeichen: aAkte.aktenzeichen })]),
        );

        // Nothing of the other applicant in any file: not their pseudonym, case, Aktenzeichen, documents or data.
        const bAkte = (await findAkte(db, { caseId: bCase }))!;
        const bDocs = await listAkteDocuments(db, { caseId: bCase });
        const aLeaves = new Set(leavesOf(a.application));
        const foreign = [
          b.identity.subject,
          bCase,
          bAkte.aktenzeichen,
          ...bDocs.map((d) => d.sha256),
          ...leavesOf(b.application).filter((s) => !aLeaves.has(s)),
        ];
        expect(foreign.length).toBeGreaterThan(4);
        const bHashes = new Set(bDocs.map((d) => d.sha256));
        for (const [name, bytes] of Object.entries(files)) {
          const content = Buffer.from(bytes).toString('latin1');
          for (const f of foreign) expect(content.includes(f), `${name} contains ${f}`).toBe(false);
          expect(bHashes.has(createHash('sha256').update(bytes).digest('hex')), `${name} is B's document`).toBe(false);
        }

        // Another applicant cannot ask for it, staff cannot either.
        const asB = await call(
          api,
          'GET',
          `/applicants/${encodeURIComponent(a.identity.subject)}/data-export`,
          await applicantToken(b.identity.subject),
        );
        expect(asB.status).toBe(404);
        expect(
          (await call(api, 'GET', `/applicants/${encodeURIComponent(a.identity.subject)}/data-export`, anna)).status,
        ).toBe(403);
      } finally {
        await api.close();
      }
    });
  }, 150_000);
});

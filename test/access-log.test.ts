import { sign } from '@fastify/cookie';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { accessLogForCase } from '../db/queries/access-log.js';
import { buildHttpApi } from '../http/http-api.js';
import { CaseFiles } from '../http/workbench/case-file.js';
import { WorkbenchSessionStore } from '../http/workbench/session-store.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { client, db, publicBaseUrl, withWorker } from './harness.js';
import { call, idp, intakeNotUnderTest, staffToken, tokenAudience, tokens } from './http-helpers.js';
import { applicationOf } from './samples.js';
import { waitFor } from './support/wait.js';

const STADT = 'stadt-musterstadt';
const SECRET = 'access-log-test-secret-32-characters!';

describe('the access log of staff reads', () => {
  it('records every panel, download and case page a staff member reads, granted or refused, and supervisors read it', async () => {
    await withWorker(async (e) => {
      const api = await buildHttpApi({
        cases: e.cases,
        tasks: e.tasks,
        auth: jwtVerifier(tokens.keys, tokenAudience),
        identity: intakeNotUnderTest,
        workbench: {
          files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }),
          db,
          pages: { login: { issuer: idp.issuer, clientId: 'ozg-workbench' }, sessionSecret: SECRET },
        },
      });
      try {
        const submission = { ...applicationOf('resident', 31), idempotencyKey: randomUUID() };
        const { caseId } = await e.cases.submit(submission);
        expect((await e.cases.result(caseId)).outcome).toBe('approved');
        await waitFor(async () => (await e.cases.view(caseId))?.status === 'closed', { what: 'the closed case' });
        const anna = await staffToken(`sb.anna-${caseId.slice(0, 8)}`, STADT);
        const budget = await staffToken('hk.bert', STADT, 'budget_office');
        const foreign = await staffToken('sb.dora', 'gemeinde-beispieldorf');
        const chief = await staffToken('sl.carla', STADT, 'supervisor');

        expect((await call(api, 'GET', `/cases/${caseId}/file/application`, anna)).status).toBe(200);
        const bescheid = await call(api, 'GET', `/cases/${caseId}/file/bescheid`, anna);
        const link = (bescheid.body as { documents: Array<{ download: string; sha256: string }> }).documents[0]!;
        const pdf = await api.inject({
          method: 'GET',
          url: link.download,
          headers: { authorization: `Bearer ${anna}` },
        });
        expect(pdf.statusCode).toBe(200);
        // Refused: the budget office may not read the application; another authority's staff get a 404.
        expect((await call(api, 'GET', `/cases/${caseId}/file/application`, budget)).status).toBe(403);
        expect((await call(api, 'GET', `/cases/${caseId}/file/overview`, foreign)).status).toBe(404);
        // The workbench case page, with a session as the login leaves it.
        const sid = await new WorkbenchSessionStore(db, 60_000).open({
          id: 'sb.anna-page',
          role: 'case_worker',
          authorityId: STADT,
          name: 'Anna',
          exp: Math.floor(Date.now() / 1000) + 3600,
        });
        const cookie = `wb_session=${encodeURIComponent(sign(Buffer.from(JSON.stringify({ sid })).toString('base64url'), SECRET))}`;
        const page = await api.inject({ method: 'GET', url: `/workbench/cases/${caseId}`, headers: { cookie } });
        expect(page.statusCode).toBe(200);
        expect(page.body).toMatch(/Aufbewahrung: Aufbewahrt bis \d{4}-\d{2}-\d{2}: 6 Jahre ab Bestandskraft/);
        // A request for a case that does not exist read nothing and is not recorded.
        const unknown = randomUUID();
        expect((await call(api, 'GET', `/cases/${unknown}/file/overview`, anna)).status).toBe(404);
        expect(await accessLogForCase(db, unknown)).toEqual([]);

        // Case workers do not read the log; the authority's supervisor does, and another authority's does not.
        expect((await call(api, 'GET', `/cases/${caseId}/file/access-log`, anna)).status).toBe(403);
        expect(
          (
            await call(
              api,
              'GET',
              `/cases/${caseId}/file/access-log`,
              await staffToken('x', 'gemeinde-beispieldorf', 'supervisor'),
            )
          ).status,
        ).toBe(404);
        const log = await call(api, 'GET', `/cases/${caseId}/file/access-log`, chief);
        expect(log.status).toBe(200);
        const entries = (log.body as { entries: Array<Record<string, unknown>> }).entries;
        const subject = submission.identity.subject;
        expect(entries.map(({ at: _at, ...rest }) => rest)).toEqual([
          {
            actorId: `sb.anna-${caseId.slice(0, 8)}`,
            actorRole: 'case_worker',
            actorAuthorityId: STADT,
            kind: 'panel',
            what: 'application',
            route: 'GET /cases/:caseId/file/application',
            outcome: 'granted',
          },
          expect.objectContaining({ kind: 'panel', what: 'bescheid', outcome: 'granted' }),
          expect.objectContaining({
            kind: 'document',
            what: `${caseId}:bescheid`,
            route: 'GET /cases/:caseId/file/documents/:sha256',
            outcome: 'granted',
          }),
          expect.objectContaining({
            actorId: 'hk.bert',
            actorRole: 'budget_office',
            what: 'application',
            outcome: 'refused',
          }),
          expect.objectContaining({
            actorId: 'sb.dora',
            actorAuthorityId: 'gemeinde-beispieldorf',
            what: 'overview',
            outcome: 'refused',
          }),
          expect.objectContaining({
            actorId: 'sb.anna-page',
            kind: 'page',
            what: 'case',
            route: 'GET /workbench/cases/:caseId',
            outcome: 'granted',
          }),
          expect.objectContaining({ what: 'access-log', actorRole: 'case_worker', outcome: 'refused' }),
          expect.objectContaining({ actorId: 'x', what: 'access-log', outcome: 'refused' }),
        ]);
        // Every entry names the case's authority and the applicant's pseudonym (for the Art. 15 export), nothing else of them.
        const rows = await accessLogForCase(db, caseId);
        expect(rows.every((r) => r.authorityId === STADT && r.applicantSubject === subject)).toBe(true);
        expect(rows.at(-1)).toMatchObject({ actorId: 'sl.carla', what: 'access-log', outcome: 'granted' });
        // A supervisor places a legal hold (case workers may not); the overview shows it and the retention date.
        const holds = `/cases/${caseId}/file/holds`;
        expect((await call(api, 'POST', holds, anna, { kind: 'legal_hold', reason: 'Klage' })).status).toBe(403);
        const placed = await call(api, 'POST', holds, chief, { kind: 'legal_hold', reason: 'Klage anhängig' });
        expect(placed.status).toBe(201);
        expect(placed.body).toMatchObject({ kind: 'legal_hold', placedBy: 'sl.carla', releasedAt: null });
        const overview = await call(api, 'GET', `/cases/${caseId}/file/overview`, chief);
        expect(overview.body.retention).toMatchObject({
          retentionYears: 6,
          runsFrom: 'bestandskraft',
          disposal: 'erase',
          provisional: true,
          until: expect.stringMatching(/^\d{4}-/),
          explanation: expect.stringContaining('Sperre (Legal Hold)'),
          holds: [expect.objectContaining({ id: placed.body.id, kind: 'legal_hold', releasedAt: null })],
        });
        const released = await call(api, 'POST', `${holds}/${placed.body.id}/release`, chief, {});
        expect(released.body).toMatchObject({ releasedBy: 'sl.carla', releasedAt: expect.any(String) });
        expect((await call(api, 'POST', `${holds}/${placed.body.id}/release`, chief, {})).status).toBe(404);
        // The log is append-only.
        await expect(db.execute(sql`delete from access_log where case_id = ${caseId}`)).rejects.toThrow();
      } finally {
        await api.close();
      }
    });
  }, 120_000);
});

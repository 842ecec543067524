import { type FastifyInstance } from 'fastify';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { akteSearchTerms, akten } from '../db/schema.js';
import { recordStaffLogin } from '../db/queries/staff-directory.js';
import { untranslatedKeys } from './support/untranslated.js';
import { testWorkbench } from './support/workbench.js';
import { BlindIndex, DEV_SEARCH_INDEX_SECRET, compactSearchText } from '../platform/blind-index.js';
import { db, withWorker, type TestEngine } from './harness.js';
import { waitFor } from './http-helpers.js';
import { applicationOf } from './samples.js';

const STADT = 'stadt-musterstadt';
const DORF = 'gemeinde-beispieldorf';
const SECRET = 'search-test-session-secret-of-32-chars';

let app: FastifyInstance | undefined;
afterAll(() => app?.close());

/** An escalated company-car case of a named applicant, with its task in the inbox projection. */
async function escalatedCase(e: TestEngine, authorityId: string, nth: number, name: [string, string]) {
  const submission = applicationOf('company_car', nth);
  submission.authorityId = authorityId;
  submission.identity = { ...submission.identity, name: { givenName: name[0], familyName: name[1] } };
  const { caseId } = await e.cases.submit(submission);
  await waitFor(
    'the task in the inbox',
    async () => (await e.tasks.find(`${caseId}:review`))?.state === 'open',
    90_000,
  );
  const application = submission.application as { licensePlate: string; address: { street: string } };
  return { caseId, subject: submission.identity.subject, ...application };
}

/** The workbench over the test's worker, with a signed-in case worker of each authority. */
async function workbenchOf(e: TestEngine) {
  const w = await testWorkbench(e, SECRET);
  app = w.app;
  const cookie = (authorityId: string, id = 'sb.test', name = 'Test') =>
    w.signIn({ id, role: 'case_worker', authorityId, name });
  const stadt = await cookie(STADT);
  const dorf = await cookie(DORF);
  const inbox = async (q: string, session = stadt) => {
    const res = await app!.inject({
      url: `/workbench/inbox?${new URLSearchParams({ q })}`,
      headers: { cookie: session },
    });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** A form post as the browser sends it: the session, and the CSRF token and cookie of the inbox it loaded. */
  const post = async (session: string, url: string, form: Record<string, string>) => {
    const page = await app!.inject({ url: '/workbench/inbox', headers: { cookie: session } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const csrf = [page.headers['set-cookie']]
      .flat()
      .find((c) => c?.startsWith('wb_csrf='))!
      .split(';')[0];
    return app!.inject({
      method: 'POST',
      url,
      headers: { cookie: `${session}; ${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...form, _csrf: token }).toString(),
    });
  };
  return {
    inbox,
    stadt,
    dorf,
    cookie,
    post,
    page: (url: string, session = stadt) => app!.inject({ url, headers: { cookie: session } }),
  };
}

const linksIn = (body: string) => [...body.matchAll(/href="\/workbench\/cases\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

describe('finding work: the inbox searches names, licence plates, addresses and the Aktenzeichen', {
  timeout: 240_000,
}, () => {
  it('finds a case by what a case worker knows, shows who applied, and keeps only keyed hashes in the index', async () => {
    await withWorker(async (e) => {
      const hanna = await escalatedCase(e, STADT, 0, ['Hanna', 'Müller']);
      const joerg = await escalatedCase(e, STADT, 1, ['Jörg', 'Weiß']);
      // The same name at another authority: never found from Musterstadt, and hashed under another key.
      const other = await escalatedCase(e, DORF, 2, ['Hanna', 'Müller']);
      const w = await workbenchOf(e);
      const [akteOfHanna] = await db.select().from(akten).where(eq(akten.caseId, hanna.caseId));
      // Which of this test's cases a search finds (the database may hold other runs' Müllers).
      const mine = [hanna.caseId, joerg.caseId, other.caseId];
      const found = async (q: string, session?: string) =>
        linksIn(await w.inbox(q, session)).filter((id) => mine.includes(id!));

      // Name as typed: any case, umlauts folded, first and family name in either order.
      for (const q of ['Müller', 'mueller', 'MÜLLER', 'Hanna Müller', 'müller  hanna'])
        expect(await found(q), q).toEqual([hanna.caseId]);
      expect(await found('Weiss')).toEqual([joerg.caseId]);
      // Licence plate with or without its separators, the street, the Aktenzeichen as printed and in lower case.
      for (const q of [hanna.licensePlate, hanna.licensePlate.toLowerCase().replace(/[- ]/g, ''), hanna.address.street])
        expect(await found(q), q).toContain(hanna.caseId);
      for (const q of [akteOfHanna!.aktenzeichen, akteOfHanna!.aktenzeichen.toLowerCase()])
        expect(await found(q), q).toEqual([hanna.caseId]);
      // The beginning of the technical case id still works; nonsense finds nothing, without an error.
      expect(await found(hanna.caseId.slice(0, 13))).toEqual([hanna.caseId]);
      expect(await w.inbox('<script>Nobody')).toContain('Keine Aufgaben gefunden');
      expect(await found('Müller', w.dorf)).toEqual([other.caseId]);

      // The row says who applied and which file it is; the case page's header too.
      const row = await w.inbox('Hanna Müller');
      expect(row).toContain('Hanna Müller');
      expect(row).toContain(`>${akteOfHanna!.aktenzeichen}</a>`);
      expect(row).toContain(hanna.address.street);
      expect(row).toContain(`Kennzeichen ${hanna.licensePlate}`);
      const casePage = await w.page(`/workbench/cases/${hanna.caseId}`);
      expect(casePage.statusCode).toBe(200);
      expect(casePage.body).toMatch(new RegExp(`<h1>Akte <span class="id">${akteOfHanna!.aktenzeichen}</span></h1>`));
      expect(casePage.body).toContain('Antragsteller/in: <strong>Hanna Müller</strong>');
      // Text for people: no rule id, fact name, event type or English code on the inbox or the case page.
      expect(untranslatedKeys(casePage.body)).toEqual([]);
      expect(untranslatedKeys(row)).toEqual([]);
      expect(casePage.body).toContain('Firmenfahrzeug');

      // The index holds keyed hashes only: no name, plate or street in clear text or normalised form.
      const terms = await db
        .select()
        .from(akteSearchTerms)
        .where(inArray(akteSearchTerms.caseId, [hanna.caseId, other.caseId]));
      expect(terms.length).toBeGreaterThan(4);
      const dump = JSON.stringify(terms).toLowerCase();
      for (const clear of ['Müller', 'Hanna', hanna.licensePlate, hanna.address.street]) {
        expect(dump).not.toContain(clear.toLowerCase());
        expect(dump).not.toContain(compactSearchText(clear));
      }
      const index = new BlindIndex(DEV_SEARCH_INDEX_SECRET);
      const of = (caseId: string) => new Set(terms.filter((t) => t.caseId === caseId).map((t) => t.term));
      expect(of(hanna.caseId).has(index.term(STADT, 'Müller')!)).toBe(true);
      expect(of(other.caseId).has(index.term(DORF, 'Mueller')!)).toBe(true);
      expect([...of(hanna.caseId)].filter((t) => of(other.caseId).has(t))).toEqual([]);
    });
  });

  it('marks the row while a question is open, and her history of decisions keeps a four-eyes case she decided first', async () => {
    await withWorker(async (e) => {
      const { caseId, subject: applicant } = await escalatedCase(e, DORF, 3, ['Greta', 'Schäfer']);
      for (const [staffId, displayName] of [
        ['sb.test', 'Dora Test'],
        ['sb.emil', 'Emil Engel'],
      ])
        await recordStaffLogin(db, {
          authorityId: DORF,
          staffId: staffId!,
          displayName: displayName!,
          role: 'case_worker',
        });
      const w = await workbenchOf(e);
      const taskId = `${caseId}:review`;
      const dora = { id: 'sb.test', role: 'case_worker' as const, authorityId: DORF };
      const emil = { id: 'sb.emil', role: 'case_worker' as const, authorityId: DORF };
      const row = async (q: string) => {
        const body = await w.inbox(q, w.dorf);
        const start = body.indexOf(`/workbench/cases/${caseId}`);
        return start < 0 ? undefined : body.slice(start, body.indexOf('</tr>', start));
      };
      expect(await row('Schäfer')).not.toContain('Rückfrage offen');
      await e.tasks.act(caseId, { action: 'claim', taskId, actor: dora });
      await e.tasks.act(caseId, { action: 'ask', taskId, actor: dora, kind: 'question', text: 'Wer nutzt den Wagen?' });
      await waitFor(
        'the question in the inbox row',
        async () => (await row('Schäfer'))?.includes('Rückfrage offen'),
        30_000,
      );

      const questionId = (await e.cases.status(caseId)).task!.openQuestion!.questionId;
      await e.tasks.reply(caseId, { questionId, subject: applicant, answer: 'Nur ich, auch privat.' });
      await waitFor(
        'the answer in the inbox row',
        async () => (await row('Schäfer'))?.includes('Antwort eingegangen'),
        30_000,
      );
      expect(await row('Schäfer')).not.toContain('Rückfrage offen');

      // Four-eyes: she proposes, Emil confirms and becomes the assignee; "erledigt" + "ich" still lists it for her.
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId,
        actor: dora,
        outcome: 'approve',
        justification: 'Privat.',
      });
      await e.tasks.act(caseId, { action: 'claim', taskId, actor: emil });
      await e.tasks.act(caseId, {
        action: 'complete',
        taskId,
        actor: emil,
        outcome: 'approve',
        justification: 'Bestätigt.',
      });
      await waitFor('the task completed', async () => (await e.tasks.find(taskId))?.state === 'completed', 30_000);
      expect((await e.tasks.find(taskId))?.assignee).toBe('sb.emil');
      const mine = await app!.inject({
        url: '/workbench/inbox?state=completed&assignee=me',
        headers: { cookie: w.dorf },
      });
      expect(linksIn(mine.body)).toContain(caseId);
      // The decided case's page, timeline included, speaks German: names, not login ids.
      const decided = await w.page(`/workbench/cases/${caseId}`, w.dorf);
      expect(untranslatedKeys(decided.body)).toEqual([]);
      expect(decided.body).not.toMatch(/\(sb\.emil\)|\(sb\.test\)/);
    });
  });

  it("Vertretung: while she is absent her tasks are in her substitute's inbox; colleagues by name, chosen from a list", async () => {
    await withWorker(async (e) => {
      const { caseId } = await escalatedCase(e, DORF, 4, ['Lukas', 'Becker']);
      const w = await workbenchOf(e);
      const dora = await w.cookie(DORF, 'sb.dora', 'Dora Dietz');
      const emil = await w.cookie(DORF, 'sb.emil', 'Emil Engel');
      await recordStaffLogin(db, {
        authorityId: DORF,
        staffId: 'sb.dora',
        displayName: 'Dora Dietz',
        role: 'case_worker',
      });
      await recordStaffLogin(db, {
        authorityId: DORF,
        staffId: 'sb.emil',
        displayName: 'Emil Engel',
        role: 'case_worker',
      });
      const taskId = `${caseId}:review`;
      await e.tasks.act(caseId, {
        action: 'claim',
        taskId,
        actor: { id: 'sb.dora', role: 'case_worker', authorityId: DORF },
      });
      await waitFor('the claim in the inbox', async () => (await e.tasks.find(taskId))?.assignee === 'sb.dora', 30_000);
      const emilsOwn = async () => linksIn((await w.page('/workbench/inbox?assignee=me', emil)).body);
      expect(await emilsOwn()).not.toContain(caseId);
      // The row names her, not her login id; the case page offers her colleagues by name.
      const row = await w.inbox('Becker', emil);
      expect(row).toContain('<td>Dora Dietz</td>');
      const page = (await w.page(`/workbench/cases/${caseId}`, dora)).body;
      expect(page).toMatch(
        /<select id="re-assignee" name="assignee" required>.*<option value="sb.emil">Emil Engel<\/option>/s,
      );
      expect(page).not.toContain('<option value="sb.dora">');

      const absent = await w.post(dora, '/workbench/absence', { substitute: 'sb.emil' });
      expect([absent.statusCode, absent.headers.location]).toEqual([303, '/workbench/inbox?absence=set']);
      expect(await emilsOwn()).toContain(caseId);
      expect((await w.page('/workbench/inbox', emil)).body).toContain('Sie vertreten: Dora Dietz.');
      expect((await w.page('/workbench/inbox?absence=set', dora)).body).toContain('es vertritt Sie Emil Engel');
      // Only a colleague of her own authority can stand in.
      const stranger = await w.post(dora, '/workbench/absence', { substitute: 'sb.anna' });
      expect(stranger.statusCode).toBe(422);

      const back = await w.post(dora, '/workbench/absence', { present: '1' });
      expect(back.headers.location).toBe('/workbench/inbox?absence=cleared');
      expect(await emilsOwn()).not.toContain(caseId);
    });
  });
});

import { sign } from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labelApplication } from '../http/workbench/labels.js';
import { hundesteuer } from '../services/hundesteuer.js';
import { html } from '../http/workbench/html.js';
import { inboxFilters, inboxQuery } from '../http/workbench/inbox.js';
import { workbenchFor } from '../http/workbench/index.js';
import { workbench } from '../http/workbench/plugin.js';
import { problemHandler } from '../http/problem.js';
import { findService } from '../services/catalogue.js';
import { idp } from './http-helpers.js';
import { connectDatabase } from '../db/client.js';
import { WorkbenchSessionStore } from '../http/workbench/session-store.js';
import { sql } from 'drizzle-orm';
import { workbenchSessions } from '../db/schema.js';

// Sessions live in PostgreSQL: the test database the global setup migrated.
const database = connectDatabase(inject('databaseUrl'));
afterAll(() => database.close());
const IDLE_MS = 15 * 60 * 1000;

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  // Only the login and form plumbing is under test here: case data and tasks are never reached.
  app = Fastify();
  // As the API mounts it: refusals are pages, rendered by the API's one error handler.
  app.setErrorHandler(problemHandler);
  await app.register(workbench, {
    files: {} as never,
    tasks: {} as never,
    db: database.db,
    login: { issuer: idp.issuer, clientId: 'ozg-workbench' },
    sessionSecret: 'login-test-secret-with-32-characters',
    sessionIdleMs: IDLE_MS,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(() => app?.close());

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/** Follows the login by hand: workbench → provider → pick a person → callback, returning every hop. */
async function loginAs(subject: string, tamper: { state?: string; verifierCookie?: boolean } = {}) {
  const start = await fetch(`${base}/workbench/login`, { redirect: 'manual' });
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const form = new URLSearchParams([...authorize.searchParams.entries(), ['subject', subject]]);
  const picked = await fetch(`${idp.issuer}/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const callback = new URL(picked.headers.get('location')!);
  if (tamper.state) callback.searchParams.set('state', tamper.state);
  const back = await fetch(callback, {
    redirect: 'manual',
    headers: tamper.verifierCookie === false ? {} : { cookie: cookiesOf(start) },
  });
  return { start, authorize, callback, back };
}

describe('workbench login and forms', () => {
  it('logs staff in with code and PKCE; the session cookie is httpOnly and SameSite', async () => {
    const { back } = await loginAs('sb.anna');
    expect(back.status).toBe(303);
    const session = back.headers.getSetCookie().find((c) => c.startsWith('wb_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Path=\/workbench/);
  });

  it("keeps the groups the provider names (the `groups` claim) with the session, for the inbox's scope", async () => {
    const { back } = await loginAs('sb.gerd');
    expect(back.status).toBe(303);
    const rows = await database.db
      .select({ staff: workbenchSessions.staff })
      .from(workbenchSessions)
      .where(sql`${workbenchSessions.staff}->>'id' = 'sb.gerd'`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.staff).toMatchObject({ id: 'sb.gerd', groups: ['gewerbeamt'] });
    // Without the claim there are no groups: she sees every group's tasks, as before.
    await loginAs('sb.anna');
    const [anna] = await database.db
      .select({ staff: workbenchSessions.staff })
      .from(workbenchSessions)
      .where(sql`${workbenchSessions.staff}->>'id' = 'sb.anna'`)
      .limit(1);
    expect(anna!.staff).not.toHaveProperty('groups');
  });

  it('refuses a callback with a foreign state, or without the login cookie', async () => {
    expect((await loginAs('sb.anna', { state: 'forged' })).back.status).toBe(400);
    expect((await loginAs('sb.anna', { verifierCookie: false })).back.status).toBe(400);
  });

  it('the provider redeems a code once and only with the right verifier', async () => {
    // The verifier travels in the signed login cookie (value.signature); a test may read it, nobody can change it.
    const verifierOf = (start: Response) => {
      const raw = decodeURIComponent(
        start.headers
          .getSetCookie()
          .find((c) => c.startsWith('wb_login='))!
          .split(';')[0]!
          .slice('wb_login='.length),
      );
      return (
        JSON.parse(Buffer.from(raw.slice(0, raw.lastIndexOf('.')), 'base64url').toString('utf8')) as {
          verifier: string;
        }
      ).verifier;
    };
    const redeem = (authorize: URL, callback: URL, verifier: string) =>
      fetch(`${idp.issuer}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code')!,
          redirect_uri: authorize.searchParams.get('redirect_uri')!,
          client_id: 'ozg-workbench',
          code_verifier: verifier,
        }),
      });
    const first = await loginAs('sb.ben', { verifierCookie: false });
    const wrong = await redeem(first.authorize, first.callback, 'x'.repeat(43));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    // The wrong attempt used the code up: even the right verifier cannot redeem it now.
    expect((await redeem(first.authorize, first.callback, verifierOf(first.start))).status).toBe(400);
    const second = await loginAs('sb.ben', { verifierCookie: false });
    const right = await redeem(second.authorize, second.callback, verifierOf(second.start));
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) });
  });

  it('pages need a session; form posts need the CSRF token', async () => {
    const anonymous = await fetch(`${base}/workbench/inbox`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/workbench\/login\?returnTo=/);
    expect(
      (
        await fetch(`${base}/workbench/cases/${'0'.repeat(36)}/actions`, {
          method: 'POST',
          body: new URLSearchParams({ action: 'claim' }),
          redirect: 'manual',
        })
      ).status,
    ).toBe(401);
    const { back } = await loginAs('sb.anna');
    const cookie = cookiesOf(back);
    const noToken = await fetch(`${base}/workbench/logout`, {
      method: 'POST',
      body: new URLSearchParams({}),
      headers: { cookie },
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await noToken.text()).toContain('Das Formular ist abgelaufen');
  });

  it('sessions live server-side: the cookie holds an id only, logout revokes it, and it ends when idle', async () => {
    const inbox = (cookie: string) => fetch(`${base}/workbench/inbox`, { headers: { cookie }, redirect: 'manual' });
    const { back } = await loginAs('sb.anna');
    const cookie = cookiesOf(back);
    expect(decodeURIComponent(cookie)).not.toContain('sb.anna');
    // Logging out revokes the session on the server: a copy of the cookie kept elsewhere opens nothing.
    const page = await fetch(`${base}/workbench/inbox`, { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text());
    expect(csrf).not.toBeNull();
    const out = await fetch(`${base}/workbench/logout`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf![1]! }),
      headers: { cookie: `${cookie}; ${cookiesOf(page)}` },
      redirect: 'manual',
    });
    expect(out.status).toBe(200);
    const replayed = await inbox(cookie);
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toMatch(/^\/workbench\/login/);
    // Idle: used once, then left alone longer than the idle timeout.
    const idle = cookiesOf((await loginAs('sb.ben')).back);
    expect((await inbox(idle)).status).not.toBe(303);
    // The clock moved on past the idle timeout since the last request (set in the row, not waited for).
    await database.db
      .update(workbenchSessions)
      .set({ lastSeenAt: new Date(Date.now() - IDLE_MS - 1000) })
      .where(sql`${workbenchSessions.staff}->>'id' = 'sb.ben'`);
    expect((await inbox(idle)).status).toBe(303);
  });

  it('takes the redirect address and the Secure flag from the public base URL, never from the Host header', async () => {
    const deps = workbenchFor(
      {
        publicBaseUrl: 'https://amt.example',
        workbench: { oidcIssuer: idp.issuer, clientId: 'ozg-workbench', sessionSecret: 'x'.repeat(32) },
      },
      { client: {} as never, db: {} as never, documents: {} as never, publicBaseUrl: 'https://amt.example' },
    );
    const behindProxy = Fastify();
    behindProxy.setErrorHandler(problemHandler);
    await behindProxy.register(workbench, { files: deps.files, tasks: {} as never, db: deps.db, ...deps.pages! });
    try {
      const res = await behindProxy.inject({
        method: 'GET',
        url: '/workbench/login',
        headers: { host: 'evil.example' },
      });
      expect(res.statusCode).toBe(303);
      const authorize = new URL(res.headers.location as string);
      expect(authorize.searchParams.get('redirect_uri')).toBe('https://amt.example/workbench/callback');
      const login = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('wb_login='));
      expect(login).toMatch(/; Secure/i);
      expect(login).toMatch(/HttpOnly/i);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('workbench building blocks', () => {
  it('escapes everything interpolated into HTML', () => {
    expect(html`<p>${'<script>alert("x")</script>'}</p>`.value).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
    );
    expect(html`<p>${html`<b>${"'"}</b>`}</p>`.value).toBe('<p><b>&#39;</b></p>');
  });

  it('labels the application from the service schema, in schema order', () => {
    const service = findService('99050012104001');
    const fields = labelApplication(service, '1', {
      address: { city: 'Musterstadt', street: 'Am Markt 1', postalCode: '12345' },
      business: { name: 'Kiosk', employees: 2 },
    });
    expect(fields.map((f) => f.label)).toEqual([
      'Betrieb › Name',
      'Betrieb › Beschäftigte',
      'Anschrift › Straße und Hausnummer',
      'Anschrift › Postleitzahl',
      'Anschrift › Ort',
    ]);
  });

  it('labels a FIM-imported application with the FIM labels, and codes with their code-list labels', () => {
    const fields = labelApplication(hundesteuer, hundesteuer.currentSchemaVersion, {
      F99000030: 0,
      G99000020: [{ F99000022: '2026-02-01', F99000021: '03' }],
      G99000010: { F99000011: 'Nguyễn', F99000012: 'Thị', F99000013: '48143' },
    });
    expect(fields).toEqual([
      { path: 'G99000010.F99000011', label: 'Angaben zur Halterin oder zum Halter › Familienname', value: 'Nguyễn' },
      { path: 'G99000010.F99000012', label: 'Angaben zur Halterin oder zum Halter › Vorname', value: 'Thị' },
      { path: 'G99000010.F99000013', label: 'Angaben zur Halterin oder zum Halter › Postleitzahl', value: '48143' },
      {
        path: 'G99000020.0.F99000021',
        label: 'Angaben zum Hund › Nr. 1 › Rassegruppe des Hundes',
        value: 'Gefährlicher Hund nach Landesrecht (03)',
      },
      { path: 'G99000020.0.F99000022', label: 'Angaben zum Hund › Nr. 1 › Hund gehalten seit', value: '2026-02-01' },
      { path: 'F99000030', label: 'Anzahl weiterer Hunde im Haushalt', value: 0 },
    ]);
  });

  it('resets unknown filter values and takes the authority from the session only', () => {
    const f = inboxFilters({
      state: 'deleted',
      assignee: 'root',
      due: 'yesterday',
      page: '-3',
      service: "x' or 1=1",
      sort: 'due_at desc',
      followup: 'all',
      question: '1',
    });
    expect(f).toEqual({
      state: 'active',
      service: '',
      assignee: 'anyone',
      due: '',
      followup: '',
      question: '',
      sort: 'due',
      q: '',
      page: 1,
    });
    const q = inboxQuery(
      { id: 'sb.anna', role: 'case_worker', authorityId: 'stadt-musterstadt' },
      { ...f, assignee: 'me', due: 'overdue', page: 3 },
      new Date('2026-06-01T00:00:00Z'),
    );
    expect(q).toMatchObject({
      authorityId: 'stadt-musterstadt',
      assignee: 'sb.anna',
      states: ['open', 'claimed'],
      dueBefore: new Date('2026-06-01T00:00:00Z'),
      offset: 50,
    });
  });
});

describe('workbench refusals are pages', () => {
  const secret = 'pages-test-secret-with-32-characters';
  const sids: Record<string, string> = {};
  const session = (role: 'case_worker' | 'supervisor') => {
    const value = Buffer.from(JSON.stringify({ sid: sids[role] })).toString('base64url');
    return `wb_session=${encodeURIComponent(sign(value, secret))}`;
  };
  let pages: FastifyInstance;
  beforeAll(async () => {
    const store = new WorkbenchSessionStore(database.db, 60_000);
    for (const role of ['case_worker', 'supervisor'] as const)
      sids[role] = await store.open({
        id: 'sb.anna',
        role,
        authorityId: 'stadt-musterstadt',
        name: 'Anna',
        exp: 4_000_000_000,
      });
    pages = Fastify();
    pages.setErrorHandler(problemHandler);
    await pages.register(workbench, {
      files: { caseFor: async () => undefined } as never,
      tasks: {
        inbox: async (q: { serviceKey?: string }) => {
          if (q.serviceKey === 'broken') throw new Error('database at 10.0.0.7 is down');
          return { items: [], total: 0 };
        },
      } as never,
      db: database.db,
      login: { issuer: idp.issuer, clientId: 'ozg-workbench' },
      sessionSecret: secret,
    });
  });
  afterAll(() => pages?.close());

  /** A form post as the browser sends it: the session, and the CSRF token and cookie of a page it loaded. */
  async function post(role: 'case_worker' | 'supervisor', url: string, form: Record<string, string>) {
    const inbox = await pages.inject({ url: '/workbench/inbox', headers: { cookie: session(role) } });
    const token = /name="_csrf" value="([^"]+)"/.exec(inbox.body)![1]!;
    const csrf = [inbox.headers['set-cookie']]
      .flat()
      .find((c) => c?.startsWith('wb_csrf='))!
      .split(';')[0];
    return pages.inject({
      method: 'POST',
      url,
      headers: { cookie: `${session(role)}; ${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...form, _csrf: token }).toString(),
    });
  }
  const alertOf = (body: string) => /<div role="alert" class="alert"><p>([^<]*)<\/p>/.exec(body)?.[1];

  it('answers refusals and failures with a German page and its status, never with internals', async () => {
    const foreign = await pages.inject({
      url: `/workbench/cases/${'0'.repeat(36)}`,
      headers: { cookie: session('case_worker') },
    });
    expect([foreign.statusCode, foreign.headers['content-type']]).toEqual([404, 'text/html; charset=utf-8']);
    expect(alertOf(foreign.body)).toMatch(/gehört nicht zu Ihrer Behörde/);
    const notSupervisor = await post('case_worker', '/workbench/tasks/reassign', { taskIds: 't1' });
    expect([notSupervisor.statusCode, alertOf(notSupervisor.body)]).toEqual([
      403,
      'Nur die Aufsicht kann mehrere Aufgaben neu zuweisen.',
    ]);
    const incomplete = await post('supervisor', '/workbench/tasks/reassign', { taskIds: 't1' });
    expect([incomplete.statusCode, incomplete.body]).toEqual([422, expect.stringContaining('Eingabe unvollständig')]);
    const broken = await pages.inject({
      url: '/workbench/inbox?service=broken',
      headers: { cookie: session('case_worker') },
    });
    expect([broken.statusCode, alertOf(broken.body)]).toEqual([
      500,
      'Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.',
    ]);
    expect(broken.body).not.toContain('10.0.0.7');
    const expired = await pages.inject({ method: 'POST', url: '/workbench/tasks/reassign', payload: {} });
    expect([expired.statusCode, expired.body]).toEqual([401, expect.stringContaining('Ihre Sitzung ist abgelaufen')]);
  });
});

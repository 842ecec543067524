import { sign } from '@fastify/cookie';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { CaseFiles } from '../../http/workbench/index.js';
import type { StaffSession } from '../../http/workbench/login.js';
import { type WorkbenchOptions, workbench } from '../../http/workbench/plugin.js';
import { WorkbenchSessionStore } from '../../http/workbench/session-store.js';
import { problemHandler } from '../../http/problem.js';
import { client, db, publicBaseUrl, type TestEngine } from '../harness.js';
import { idp } from '../http-helpers.js';

export interface TestWorkbench {
  app: FastifyInstance;
  /** A staff member signed in as their login would sign them in: the `cookie` header of their session. */
  signIn(s: Omit<StaffSession, 'exp'>): Promise<string>;
  /** A page as the signed-in browser asks for it. */
  page(url: string, cookie: string): Promise<LightMyRequestResponse>;
  /** A form post as the browser sends it: the session, and the CSRF token and cookie of the inbox it loaded. */
  post(cookie: string, url: string, form: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** The workbench over a test's worker, at the sandbox identity provider, its sessions signed with `secret`. */
export async function testWorkbench(
  e: TestEngine,
  secret: string,
  more: Partial<WorkbenchOptions> = {},
): Promise<TestWorkbench> {
  const app = Fastify();
  app.setErrorHandler(problemHandler);
  await app.register(workbench, {
    files: new CaseFiles({ client, db, documents: e.deps.documents, publicBaseUrl }),
    tasks: e.tasks,
    db,
    login: { issuer: idp.issuer, clientId: 'ozg-workbench' },
    sessionSecret: secret,
    ...more,
  });
  const store = new WorkbenchSessionStore(db, 10 * 60_000);
  const signIn = async (s: Omit<StaffSession, 'exp'>) => {
    const sid = await store.open({ ...s, exp: 4e9 });
    return `wb_session=${encodeURIComponent(sign(Buffer.from(JSON.stringify({ sid })).toString('base64url'), secret))}`;
  };
  const page = (url: string, cookie: string) => app.inject({ url, headers: { cookie } });
  const post = async (cookie: string, url: string, form: Record<string, string>) => {
    const inbox = await page('/workbench/inbox', cookie);
    const token = /name="_csrf" value="([^"]+)"/.exec(inbox.body)![1]!;
    const csrf = [inbox.headers['set-cookie']]
      .flat()
      .find((c) => c?.startsWith('wb_csrf='))!
      .split(';')[0];
    return app.inject({
      method: 'POST',
      url,
      headers: { cookie: `${cookie}; ${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...form, _csrf: token }).toString(),
    });
  };
  return { app, signIn, page, post };
}

import { createHash, randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StaffRole } from '../../workflows/contracts/task.js';
import { html } from '../../http/workbench/html.js';

/** A member of an authority's staff the sandbox provider lets log in; subjects are pseudonymous ids. */
export interface DemoStaff {
  subject: string;
  name: string;
  role: StaffRole;
  authorityId: string;
  authorityName: string;
  /** The candidate groups she works in (the ID token's `groups` claim); absent: every group of her authority. */
  groups?: string[];
}

/** The sample authorities' staff: two case workers (for four-eyes) and a supervisor each. */
export const DEMO_STAFF: DemoStaff[] = [
  {
    subject: 'sb.anna',
    name: 'Anna Albers',
    role: 'case_worker',
    authorityId: 'stadt-musterstadt',
    authorityName: 'Stadt Musterstadt',
  },
  {
    subject: 'sb.ben',
    name: 'Ben Brandt',
    role: 'case_worker',
    authorityId: 'stadt-musterstadt',
    authorityName: 'Stadt Musterstadt',
  },
  {
    subject: 'sv.chef',
    name: 'Clara Chef',
    role: 'supervisor',
    authorityId: 'stadt-musterstadt',
    authorityName: 'Stadt Musterstadt',
  },
  {
    subject: 'sb.gerd',
    name: 'Gerd Gewerbe',
    role: 'case_worker',
    authorityId: 'stadt-musterstadt',
    authorityName: 'Stadt Musterstadt',
    // Works the trade office's tasks only (the Gewerbeanmeldung declares the group `gewerbeamt`).
    groups: ['gewerbeamt'],
  },
  {
    subject: 'sb.dora',
    name: 'Dora Dietz',
    role: 'case_worker',
    authorityId: 'gemeinde-beispieldorf',
    authorityName: 'Gemeinde Beispieldorf',
  },
  {
    subject: 'sb.emil',
    name: 'Emil Engel',
    role: 'case_worker',
    authorityId: 'gemeinde-beispieldorf',
    authorityName: 'Gemeinde Beispieldorf',
  },
  {
    subject: 'sv.frieda',
    name: 'Frieda Fuchs',
    role: 'supervisor',
    authorityId: 'gemeinde-beispieldorf',
    authorityName: 'Gemeinde Beispieldorf',
  },
];

const roleLabel: Record<string, string> = {
  case_worker: 'Sachbearbeitung',
  supervisor: 'Aufsicht',
  operator: 'Betrieb',
};

interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  state: string;
  nonce: string;
  code_challenge: string;
  code_challenge_method: string;
  response_type: string;
  scope?: string;
}

interface Grant extends AuthorizeParams {
  staff: DemoStaff;
  expiresAt: number;
}

const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const authorizeSchema = {
  type: 'object',
  required: ['client_id', 'redirect_uri', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'response_type'],
  properties: {
    client_id: str(100),
    redirect_uri: { type: 'string', pattern: '^https?://[^\\s]+/workbench/callback$', maxLength: 500 },
    state: str(200),
    nonce: str(200),
    code_challenge: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    code_challenge_method: { const: 'S256' },
    response_type: { const: 'code' },
    scope: { type: 'string', maxLength: 200 },
  },
} as const;

/**
 * SANDBOX staff login: an authorization endpoint with a page that lists the demo staff (no password), and a token
 * endpoint for the authorization code with PKCE (S256). Codes are single-use and live one minute.
 */
export async function staffAuthorization(
  app: FastifyInstance,
  o: {
    staff: DemoStaff[];
    sign: (claims: Record<string, unknown>, subject: string, audience: string) => Promise<string>;
  },
): Promise<void> {
  await app.register(formbody);
  const grants = new Map<string, Grant>();

  app.get<{ Querystring: AuthorizeParams }>(
    '/authorize',
    { schema: { querystring: authorizeSchema } },
    async (req, reply) => loginPage(reply, req.query, o.staff),
  );

  app.post<{ Body: AuthorizeParams & { subject: string } }>(
    '/authorize',
    {
      schema: {
        body: {
          ...authorizeSchema,
          required: [...authorizeSchema.required, 'subject'],
          properties: { ...authorizeSchema.properties, subject: str(128) },
        },
      },
    },
    async (req, reply) => {
      const { subject, ...params } = req.body;
      const staff = o.staff.find((s) => s.subject === subject);
      if (!staff)
        return reply.status(400).send({ error: 'invalid_request', error_description: 'unknown staff member' });
      const code = randomBytes(32).toString('base64url');
      for (const [c, g] of grants) if (g.expiresAt < Date.now()) grants.delete(c);
      grants.set(code, { ...params, staff, expiresAt: Date.now() + 60_000 });
      const target = new URL(params.redirect_uri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', params.state);
      return reply.redirect(target.toString(), 303);
    },
  );

  app.post<{
    Body: { grant_type: string; code: string; redirect_uri: string; client_id: string; code_verifier: string };
  }>(
    '/oauth/token',
    {
      schema: {
        body: {
          type: 'object',
          required: ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier'],
          properties: {
            grant_type: { const: 'authorization_code' },
            code: str(200),
            redirect_uri: str(500),
            client_id: str(100),
            code_verifier: { type: 'string', pattern: '^[A-Za-z0-9._~-]{43,128}$' },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const grant = grants.get(b.code);
      grants.delete(b.code);
      const challenge = createHash('sha256').update(b.code_verifier).digest('base64url');
      if (
        !grant ||
        grant.expiresAt < Date.now() ||
        grant.client_id !== b.client_id ||
        grant.redirect_uri !== b.redirect_uri ||
        grant.code_challenge !== challenge
      ) {
        return reply.status(400).send({ error: 'invalid_grant' });
      }
      const s = grant.staff;
      const idToken = await o.sign(
        {
          role: s.role,
          authority_id: s.authorityId,
          name: s.name,
          nonce: grant.nonce,
          ...(s.groups && { groups: s.groups }),
        },
        s.subject,
        b.client_id,
      );
      return { token_type: 'Bearer', id_token: idToken, access_token: idToken, expires_in: 8 * 3600 };
    },
  );
}

function loginPage(reply: FastifyReply, p: AuthorizeParams, staff: DemoStaff[]) {
  const hidden = Object.entries(p).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  const authorities = [...new Set(staff.map((s) => s.authorityName))];
  return reply.type('text/html; charset=utf-8').send(
    html`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Anmeldung (Sandbox)</title></head>
<body><main><h1>Anmeldung für Beschäftigte (Sandbox)</h1>
<p>Dieser Anmeldedienst ist eine Attrappe für Demo und Tests: Wählen Sie, als wer Sie sich anmelden.</p>
<form method="post" action="authorize">${hidden}
${authorities.map(
  (a) =>
    html`<fieldset><legend>${a}</legend><ul>${staff
      .filter((s) => s.authorityName === a)
      .map(
        (s) =>
          html`<li><button type="submit" name="subject" value="${s.subject}">${s.name} (${roleLabel[s.role] ?? s.role})</button></li>`,
      )}</ul></fieldset>`,
)}
</form></main></body></html>`.value,
  );
}

import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { STAFF_ROLES, type StaffActor, type StaffRole } from '../../workflows/contracts/task.js';

export interface LoginOptions {
  /** The authority's OpenID Connect provider (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
}

/** What the login flow keeps between the redirect to the provider and the way back (in a signed, short-lived cookie). */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  /** Where the user wanted to go before logging in (a path of the workbench). */
  returnTo: string;
}

/**
 * `groups`: the candidate groups she works in (the token's `groups` claim, names within her authority such as
 * `gewerbeamt`); absent where the identity provider sends none, and then her inbox shows every group's tasks.
 */
export type StaffSession = StaffActor & { name: string; exp: number; groups?: string[] };

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export class LoginFailedError extends Error {}

/** OpenID Connect authorization code flow with PKCE (S256), state and nonce; only staff with role and authority get in. */
export class OidcLogin {
  private discovery?: Promise<{ meta: Discovery; keys: JWTVerifyGetKey }>;

  constructor(private readonly o: LoginOptions) {}

  async start(redirectUri: string, returnTo: string): Promise<{ url: string; pending: PendingLogin }> {
    const { meta } = await this.discover();
    const pending: PendingLogin = { state: random(), nonce: random(), verifier: random(), returnTo };
    const url = new URL(meta.authorization_endpoint);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: this.o.clientId,
      redirect_uri: redirectUri,
      scope: 'openid',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    return { url: url.toString(), pending };
  }

  async finish(
    q: { code?: string; state?: string; error?: string },
    pending: PendingLogin | undefined,
    redirectUri: string,
  ): Promise<StaffSession> {
    if (q.error) throw new LoginFailedError(`Der Anmeldedienst meldet: ${q.error}`);
    if (!pending || !q.code || q.state !== pending.state)
      throw new LoginFailedError('Die Anmeldung ist abgelaufen oder wurde nicht hier begonnen.');
    const { meta, keys } = await this.discover();
    const res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: q.code,
        redirect_uri: redirectUri,
        client_id: this.o.clientId,
        code_verifier: pending.verifier,
      }),
    });
    if (!res.ok) throw new LoginFailedError(`Der Anmeldedienst hat den Code nicht eingelöst (${res.status}).`);
    const { id_token: idToken } = (await res.json()) as { id_token?: string };
    if (!idToken) throw new LoginFailedError('Der Anmeldedienst hat kein ID-Token geliefert.');
    const { payload } = await jwtVerify(idToken, keys, {
      issuer: meta.issuer,
      audience: this.o.clientId,
      requiredClaims: ['sub', 'exp', 'nonce'],
    }).catch(() => {
      throw new LoginFailedError('Das ID-Token ist ungültig.');
    });
    if (payload['nonce'] !== pending.nonce)
      throw new LoginFailedError('Das ID-Token gehört nicht zu dieser Anmeldung.');
    const role = payload['role'];
    const authorityId = payload['authority_id'];
    if (!STAFF_ROLES.includes(role as StaffRole) || typeof authorityId !== 'string' || !authorityId) {
      throw new LoginFailedError('Dieses Konto gehört zu keiner Behörde: Der Arbeitsplatz ist für Beschäftigte.');
    }
    const name = typeof payload['name'] === 'string' ? payload['name'] : payload.sub!;
    const groups = payload['groups'];
    return {
      id: payload.sub!,
      role: role as StaffRole,
      authorityId,
      name,
      ...(Array.isArray(groups) && {
        groups: groups.filter((g): g is string => typeof g === 'string' && /^[0-9a-z_-]{1,64}$/i.test(g)).slice(0, 50),
      }),
      exp: Math.min(payload.exp!, Math.floor(Date.now() / 1000) + 8 * 3600),
    };
  }

  private discover() {
    this.discovery ??= (async () => {
      const res = await fetch(`${this.o.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      if (!res.ok) throw new Error(`OpenID discovery at ${this.o.issuer} failed with ${res.status}`);
      const meta = (await res.json()) as Discovery;
      return { meta, keys: createRemoteJWKSet(new URL(meta.jwks_uri)) };
    })().catch((err: unknown) => {
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }
}

const random = () => randomBytes(32).toString('base64url');

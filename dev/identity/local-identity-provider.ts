import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { TRUST_LEVELS, type PersonName, type Representation, type TrustLevel } from '../../workflows/contracts/case.js';
import { ACR_BY_TRUST_LEVEL } from '../../platform/identity/claims.js';
import { DEMO_STAFF, staffAuthorization, type DemoStaff } from './staff-authorization.js';

export interface IssueToken {
  subject: string;
  trustLevel: TrustLevel;
  representation?: Representation;
  /** Attested name; when absent the provider's `nameOf` is asked (the sandbox knows its fictitious people). */
  name?: PersonName;
  /** Negative values make an expired token, for tests. */
  expiresInSeconds?: number;
  audience?: string;
}

export interface LocalIdentityProvider {
  issuer: string;
  audience: string;
  issue(t: IssueToken): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A SANDBOX OpenID-Connect-style identity provider for the demo and the tests: its own ES256 key,
 * discovery and JWKS endpoints, and a token endpoint that issues to whoever asks (no login).
 */
export async function startLocalIdentityProvider(o: {
  host: string;
  port: number;
  audience: string;
  staff?: DemoStaff[];
  nameOf?: (subject: string) => PersonName | undefined;
}): Promise<LocalIdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = `local-${Date.now().toString(36)}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const app: FastifyInstance = Fastify({ logger: false });
  let issuer = '';

  app.get('/.well-known/openid-configuration', async () => ({
    issuer,
    jwks_uri: `${issuer}/jwks`,
    // Staff log in to the workbench with the authorization code flow and PKCE; POST /token is the sandbox's shortcut for applicants.
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['ES256'],
    acr_values_supported: Object.values(ACR_BY_TRUST_LEVEL),
    claims_supported: ['sub', 'acr', 'mandate', 'given_name', 'family_name'],
  }));
  app.get('/jwks', async () => ({ keys: [jwk] }));
  app.post<{ Body: IssueToken }>(
    '/token',
    {
      schema: {
        body: {
          type: 'object',
          required: ['subject', 'trustLevel'],
          properties: {
            subject: { type: 'string', minLength: 1, maxLength: 128 },
            trustLevel: { enum: [...TRUST_LEVELS] },
            representation: { type: 'object' },
            name: {
              type: 'object',
              required: ['givenName', 'familyName'],
              properties: { givenName: { type: 'string' }, familyName: { type: 'string' } },
            },
          },
        },
      },
    },
    async (req) => ({ id_token: await issue(req.body) }),
  );

  await staffAuthorization(app, {
    staff: o.staff ?? DEMO_STAFF,
    sign: (claims, subject, aud) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(aud)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime('8h')
        .sign(privateKey),
  });

  await app.listen({ host: o.host, port: o.port });
  const { port } = app.server.address() as { port: number };
  issuer = `http://${o.host}:${port}`;

  function issue(t: IssueToken): Promise<string> {
    const name = t.name ?? o.nameOf?.(t.subject);
    return signToken(privateKey, kid, issuer, t.audience ?? o.audience, { ...t, ...(name && { name }) });
  }
  return { issuer, audience: o.audience, issue, stop: () => app.close() };
}

/** Signs an identity token; exported so tests can forge one with a key the provider never published. */
export function signToken(
  key: CryptoKey,
  kid: string,
  issuer: string,
  audience: string,
  t: IssueToken,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    acr: ACR_BY_TRUST_LEVEL[t.trustLevel],
    ...(t.representation && { mandate: t.representation }),
    ...(t.name && { given_name: t.name.givenName, family_name: t.name.familyName }),
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(t.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + (t.expiresInSeconds ?? 600))
    .sign(key);
}

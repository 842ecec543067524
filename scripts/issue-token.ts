// `npm run token -- --role case_worker --authority stadt-musterstadt --subject sb.anna`: a token signed with the demo's local key.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.js';
import { STAFF_ROLES, type StaffRole } from '../workflows/contracts/task.js';
import { localIssuer } from '../dev/identity/local-issuer.js';
import type { Principal } from '../platform/auth/tokens.js';

const { values: a } = parseArgs({
  options: {
    role: { type: 'string', default: 'applicant' },
    subject: { type: 'string' },
    authority: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
  },
});
const config = loadConfig();
if (config.authJwksUrl)
  throw new Error('AUTH_JWKS_URL is set: tokens come from that identity provider, not the local key');
if (!a.subject) throw new Error('--subject is required (a pseudonymous id)');
let principal: Principal | { role: 'platform_operator'; subject: string };
if (a.role === 'applicant') principal = { role: 'applicant', subject: a.subject };
// The codec server's platform-wide operator: every authority's payloads; no route of the API accepts it.
else if (a.role === 'platform_operator') principal = { role: 'platform_operator', subject: a.subject };
else if (STAFF_ROLES.includes(a.role as StaffRole) && a.authority)
  principal = { role: a.role as StaffRole, subject: a.subject, authorityId: a.authority };
else
  throw new Error(`--role must be applicant, platform_operator, ${STAFF_ROLES.join(' or ')}; staff need --authority`);
const issuer = await localIssuer({
  issuer: config.authIssuer,
  audience: config.authAudience,
  file: join(config.dataDir, 'keys', 'auth-signing-key.json'),
});
console.log(await issuer.sign(principal, a.ttl));

import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';

/** The engine's HTTP API, typed route by route; regenerate the types with `npm run client:generate`. */
export type CaseEngineClient = ReturnType<typeof createClient<paths>>;

/** A client for one engine; `token` (an applicant's or staff bearer token) is sent on every call when given. */
export function createCaseEngineClient(
  baseUrl: string,
  o: { token?: string } & Omit<ClientOptions, 'baseUrl'> = {},
): CaseEngineClient {
  const { token, headers, ...rest } = o;
  return createClient<paths>({
    baseUrl,
    ...rest,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(headers as Record<string, string> | undefined) },
  });
}

/** A refusal as the API sends it: RFC 9457 problem details with a stable code. */
export type Problem = components['schemas']['Problem'];

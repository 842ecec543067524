import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface SecurityOptions {
  /** Requests per client address and route within the window, on the public routes that cost work. */
  publicMax: number;
  publicWindowMs: number;
  /** Addresses (or CIDRs) of reverse proxies whose X-Forwarded-For names the client; without, the peer address counts. */
  trustProxy?: string[];
}

export const defaultSecurity: SecurityOptions = { publicMax: 100, publicWindowMs: 60_000 };

// Public routes an outsider can make expensive (intake, verification, service search) plus the applicants' questions.
const limitedRoutes =
  /^(POST \/cases|GET \/services\/search|(GET|HEAD) \/verify\/:sealId|POST \/verify|POST \/cases\/:caseId\/questions)$/;
/** Whether the public rate limit applies to this route. */
export const isRateLimited = (method: string, url: string): boolean => limitedRoutes.test(`${method} ${url}`);

/**
 * Rate limits for the public routes (429 with problem details once a client exceeds them) and security headers on
 * every answer: a CSP of self only, no inline scripts or styles, so server-rendered pages must ship their assets.
 */
export async function installSecurity(app: FastifyInstance, o: SecurityOptions = defaultSecurity): Promise<void> {
  // Runs before the rate-limit plugin's own onRoute hook, which reads this config.
  app.addHook('onRoute', (r) => {
    const limited = [r.method].flat().some((m) => limitedRoutes.test(`${m} ${r.url}`));
    if (limited && r.config?.rateLimit === undefined)
      r.config = { ...r.config, rateLimit: { max: o.publicMax, timeWindow: o.publicWindowMs } };
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) =>
      Object.assign(new Error(`Too many requests; retry in ${c.after}.`), {
        statusCode: c.statusCode,
        code: 'FST_RATE_LIMITED',
      }),
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The API is called cross-origin by portals and the Temporal Web UI (codec); CORS, not CORP, governs that.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}

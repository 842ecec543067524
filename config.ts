import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

const port = z.coerce.number().int().min(1).max(65535);
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: z.string().default(resolve(projectRoot, '.tools/venv/bin/temporal')),
  EMBEDDED_PG_PORT: port.default(54329),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(8080),
  DATA_DIR: z.string().default(resolve(projectRoot, '.data')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  ASSISTANT_URL: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL').optional(),
  ASSISTANT_MODEL: z.string().min(1).default('local-model'),
  ASSISTANT_API_KEY: z.string().min(1).optional(),
  ASSISTANT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8_000),
});

/** The optional dialogue assistant; absent means off, and every path runs deterministically. */
export interface AssistantConfig {
  /** Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface Config {
  /** Use this PostgreSQL; unset means start the embedded one. */
  databaseUrl?: string;
  /** Use this Temporal server; unset means start the dev server from the pinned CLI. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalPort: number;
  temporalUiPort: number;
  temporalCli: string;
  embeddedPostgresPort: number;
  httpHost: string;
  httpPort: number;
  dataDir: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  assistant?: AssistantConfig;
}

export class ConfigError extends Error {}

/** Reads the environment once; a bad value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalPort: e.TEMPORAL_PORT,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    temporalCli: e.TEMPORAL_CLI,
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    httpHost: e.HTTP_HOST,
    httpPort: e.HTTP_PORT,
    dataDir: resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    assistant: e.ASSISTANT_URL
      ? { url: e.ASSISTANT_URL, model: e.ASSISTANT_MODEL, apiKey: e.ASSISTANT_API_KEY, timeoutMs: e.ASSISTANT_TIMEOUT_MS }
      : undefined,
  };
}

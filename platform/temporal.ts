import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts/search-attributes.js';
import { StartupError } from './startup-error.js';

/** Connects to a Temporal frontend, turning "unreachable" into a message with the address and a remedy. */
export async function connectTemporal(
  address: string,
  opts: { timeoutMs?: number; hint?: string } = {},
): Promise<Connection> {
  try {
    return await Connection.connect({ address, connectTimeout: opts.timeoutMs ?? 10_000 });
  } catch (err) {
    throw new StartupError(
      `Cannot reach the Temporal server at ${address}.`,
      opts.hint ??
        'Start one with `.tools/venv/bin/temporal server start-dev`, or unset TEMPORAL_ADDRESS so the engine starts its own dev server.',
      { cause: err },
    );
  }
}

/** Registers the engine's search attributes on a server the engine did not start. Safe to repeat. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(customAttributes && k.name in customAttributes));
  if (missing.length === 0) return;
  const searchAttributes = Object.fromEntries(missing.map((k) => [k.name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */]));
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}

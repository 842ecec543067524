import { readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow/tls-config.js';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../platform/config.js';
import { StartupError } from '../platform/startup-error.js';

/** Address, TLS (mutual when a certificate pair is set) and API key: the same for client, worker and API. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

type TemporalSettings = Pick<Config, 'temporalAddress' | 'temporalTls' | 'temporalApiKey'>;

/** Reads the certificate files named in the configuration; a file that cannot be read is named with its variable. */
export function temporalConnectionOptions(
  config: TemporalSettings,
  address = config.temporalAddress,
): TemporalConnectionOptions {
  if (!address)
    throw new StartupError(
      'No Temporal server configured.',
      'Set TEMPORAL_ADDRESS (host:port of the frontend, e.g. my-ns.a1b2c.tmprl.cloud:7233).',
    );
  const t = config.temporalTls;
  if (!t) return { address, apiKey: config.temporalApiKey };
  const read = (file: string | undefined, variable: string) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new StartupError(
        `Cannot read ${variable} (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
        `Fix ${variable} or the file's permissions.`,
        { cause: err },
      );
    }
  };
  const ca = read(t.caFile, 'TEMPORAL_TLS_CA_FILE');
  const crt = read(t.certFile, 'TEMPORAL_TLS_CERT_FILE');
  const key = read(t.keyFile, 'TEMPORAL_TLS_KEY_FILE');
  return {
    address,
    apiKey: config.temporalApiKey,
    tls: {
      ...(t.serverName && { serverNameOverride: t.serverName }),
      ...(ca && { serverRootCACertificate: ca }),
      ...(crt && key && { clientCertPair: { crt, key } }),
    },
  };
}

const describe = (o: TemporalConnectionOptions) =>
  `${o.address} (${o.tls ? (o.tls.clientCertPair ? 'mutual TLS' : 'TLS') : 'plain text'}${o.apiKey ? ', API key' : ''})`;

const hintFor = (o: TemporalConnectionOptions, err: unknown) => {
  const m = String((err as Error)?.message ?? err);
  if (/certificate|tls|ssl|handshake/i.test(m))
    return `The TLS handshake failed (${m}): check TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_CERT_FILE/KEY_FILE and TEMPORAL_TLS_SERVER_NAME.`;
  if (/unauthenticated|permission|api key|unauthorized/i.test(m))
    return `The server refused the credentials (${m}): check TEMPORAL_API_KEY or the client certificate, and TEMPORAL_NAMESPACE.`;
  return o.tls
    ? `Check TEMPORAL_ADDRESS and that the server speaks TLS (${m}).`
    : `Check TEMPORAL_ADDRESS; a server that requires TLS needs TEMPORAL_TLS=true (${m}).`;
};

/** A client connection; failures name the address, the security used and what to check. */
export async function connectClient(o: TemporalConnectionOptions, timeoutMs = 10_000): Promise<Connection> {
  try {
    return await Connection.connect({ address: o.address, tls: o.tls, apiKey: o.apiKey, connectTimeout: timeoutMs });
  } catch (err) {
    throw new StartupError(`Cannot connect to the Temporal server at ${describe(o)}.`, hintFor(o, err), { cause: err });
  }
}

/** A worker's connection (Rust core), with the same settings and error. */
export async function connectNative(o: TemporalConnectionOptions): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: o.address, tls: o.tls, apiKey: o.apiKey });
  } catch (err) {
    throw new StartupError(`Cannot connect to the Temporal server at ${describe(o)}.`, hintFor(o, err), { cause: err });
  }
}

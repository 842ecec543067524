import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectClient, temporalConnectionOptions } from '../app/temporal-connection.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { StartupError } from '../platform/startup-error.js';

const dir = mkdtempSync(join(tmpdir(), 'ozg-temporal-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = join(dir, 'ca.pem');
const crt = join(dir, 'client.pem');
const key = join(dir, 'client.key');
writeFileSync(ca, 'CA');
writeFileSync(crt, 'CERT');
writeFileSync(key, 'KEY');

describe('the Temporal connection settings', () => {
  it('plain text by default; TLS, mutual TLS and API key from configuration', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'localhost:7233' }))).toEqual({
      address: 'localhost:7233',
      apiKey: undefined,
    });
    const mtls = temporalConnectionOptions(
      loadConfig({
        TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
        TEMPORAL_TLS_CA_FILE: ca,
        TEMPORAL_TLS_CERT_FILE: crt,
        TEMPORAL_TLS_KEY_FILE: key,
        TEMPORAL_TLS_SERVER_NAME: 'ns.acct.tmprl.cloud',
      }),
    );
    expect(mtls.tls).toEqual({
      serverNameOverride: 'ns.acct.tmprl.cloud',
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
    // An API key (Temporal Cloud) implies TLS with the system's roots.
    expect(
      temporalConnectionOptions(
        loadConfig({ TEMPORAL_ADDRESS: 'eu-central-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'secret' }),
      ),
    ).toEqual({ address: 'eu-central-1.aws.api.temporal.io:7233', apiKey: 'secret', tls: {} });
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });

  it('refuses half a certificate pair and names an unreadable file with its variable', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_FILE: crt })).toThrow(ConfigError);
    const err = (() => {
      try {
        temporalConnectionOptions(
          loadConfig({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CA_FILE: join(dir, 'missing.pem') }),
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).message).toMatch(/^Cannot read TEMPORAL_TLS_CA_FILE \(.*missing\.pem\): ENOENT\.$/);
  });

  it('a TLS connection to a plain-text server fails with an error naming the address and the security tried', async () => {
    const address = inject('temporalAddress');
    const err = await connectClient(
      temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS: 'true' })),
      3_000,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).message).toBe(`Cannot connect to the Temporal server at ${address} (TLS).`);
    expect((err as StartupError).hint).toMatch(/TEMPORAL_/);
    // The same settings without TLS connect.
    const connection = await connectClient(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: address })));
    await connection.close();
  });
});

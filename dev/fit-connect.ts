import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { generateDestinationKeys, type DestinationKeys } from '../adapters/fit-connect/crypto.js';
import { DECLARED_METADATA_VERSIONS } from '../adapters/fit-connect/metadata.js';
import type { SubmissionFactsStore } from '../adapters/fit-connect/submission-facts.js';
import { fitConnectIntake, type FitConnectIntake } from '../app/fit-connect.js';
import type { CaseClient } from '../client/case-client.js';
import { destinationServices } from '../http/fit-connect/receiver.js';
import type { Config } from '../platform/config.js';
import type { TokenVerifier } from '../platform/identity/token-verifier.js';
import type { Logger } from '../platform/logger.js';
import { generateServiceKey, startFitConnectSandbox, type FitConnectSandbox } from './stand-ins/fit-connect/server.js';
import { FitConnectSender } from './stand-ins/fit-connect/sender.js';
import { createTestCa, TestEidService, withX5c } from './stand-ins/fit-connect/test-pki.js';

/** The demo's destination: Stadt Musterstadt takes applications over FIT-Connect. */
export const DEMO_DESTINATION_AUTHORITY = 'stadt-musterstadt';
const SENDER = { clientId: 'demo-online-service', clientSecret: 'demo-sender-secret' };
const SUBSCRIBER = { clientId: 'demo-destination-stadt-musterstadt', clientSecret: 'demo-subscriber-secret' };

interface CachedKeys {
  destinationId: string;
  destination: DestinationKeys;
  deliveryService: JWK;
}

/** RSA 4096 keys take seconds to make: the demo makes them once and keeps them in DATA_DIR/keys/fit-connect.json. */
async function demoKeys(dataDir: string): Promise<CachedKeys> {
  const file = join(dataDir, 'keys', 'fit-connect.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CachedKeys;
  } catch {
    const keys: CachedKeys = {
      destinationId: randomUUID(),
      destination: await generateDestinationKeys(),
      deliveryService: await generateServiceKey(),
    };
    await mkdir(join(dataDir, 'keys'), { recursive: true });
    await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
    return keys;
  }
}

export interface DemoFitConnect {
  intake: FitConnectIntake;
  sandbox: FitConnectSandbox;
  /** An online service's sender client, for the demo batch. */
  sender: FitConnectSender;
  /** The eID service stand-in that signs identification reports (trusted by the receiver through the test CA). */
  eid: TestEidService;
  destinationId: string;
  authorityId: string;
}

/**
 * The FIT-Connect stand-in with one destination (Stadt Musterstadt, callback to the engine's HTTP API) and the
 * engine's receiver for it, with a test PKI: the destination's keys carry x5c chains to the test CA, and the eID
 * stand-in's identification reports chain to it too. The caller registers `intake.routes` on the HTTP API and starts
 * the receiver's polling.
 */
export async function startDemoFitConnect(
  config: Config,
  deps: {
    cases: CaseClient;
    identity: TokenVerifier;
    facts?: SubmissionFactsStore;
    logger?: Logger;
    httpUrl: string;
  },
): Promise<DemoFitConnect> {
  const keys = await demoKeys(config.dataDir);
  const ca = createTestCa();
  const anchors = [new X509Certificate(ca.certificatePem)];
  const callbackSecret = randomBytes(32).toString('hex');
  const sandbox = await startFitConnectSandbox({
    host: config.httpHost,
    port: config.fitConnectSandbox.port,
    clients: [
      { ...SENDER, role: 'sender' },
      { ...SUBSCRIBER, role: 'subscriber', destinationId: keys.destinationId },
    ],
    destinations: [
      {
        destinationId: keys.destinationId,
        encryptionKey: withX5c(ca, keys.destination.encryptionPublic, 'Stadt Musterstadt (Verschlüsselung)'),
        signingKey: withX5c(ca, keys.destination.signingPublic, 'Stadt Musterstadt (Signatur)'),
        callback: { url: `${deps.httpUrl}/fit-connect/callback`, secret: callbackSecret },
        services: destinationServices(DEMO_DESTINATION_AUTHORITY),
        metadataVersions: DECLARED_METADATA_VERSIONS,
      },
    ],
    serviceKey: keys.deliveryService,
  });
  const intake = await fitConnectIntake(
    {
      submissionUrl: sandbox.url,
      tokenUrl: sandbox.tokenUrl,
      ...SUBSCRIBER,
      destinationId: keys.destinationId,
      authorityId: DEMO_DESTINATION_AUTHORITY,
      encryptionKey: withX5c(ca, keys.destination.encryptionPrivate, 'Stadt Musterstadt (Verschlüsselung)'),
      signingKey: withX5c(ca, keys.destination.signingPrivate, 'Stadt Musterstadt (Signatur)'),
      callbackSecret,
      pollMs: config.fitConnectSandbox.pollMs,
      eidTrustAnchors: anchors,
      keyTrustAnchors: anchors,
      acceptIdTokens: false,
    },
    deps,
  );
  const sender = new FitConnectSender({ baseUrl: sandbox.url, tokenUrl: sandbox.tokenUrl, ...SENDER });
  return {
    intake,
    sandbox,
    sender,
    eid: new TestEidService(ca),
    destinationId: keys.destinationId,
    authorityId: DEMO_DESTINATION_AUTHORITY,
  };
}

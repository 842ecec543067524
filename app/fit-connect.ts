import type { DocumentStore } from '../adapters/document-store.js';
import type { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { readPrivateJwk } from '../adapters/fit-connect/crypto.js';
import { ClientCredentials, SubmissionApi } from '../adapters/fit-connect/submission-api.js';
import type { SubmissionFactsStore } from '../adapters/fit-connect/submission-facts.js';
import { readTrustAnchors, UntrustedChainError, verifyX5c } from '../adapters/fit-connect/x5c.js';
import type { CaseClient } from '../client/case-client.js';
import { FitConnectReceiver } from '../http/fit-connect/receiver.js';
import type { FitConnectRoutesOptions } from '../http/fit-connect/routes.js';
import type { FitConnectConfig } from '../platform/config.js';
import type { TokenVerifier } from '../platform/identity/token-verifier.js';
import type { Logger } from '../platform/logger.js';

export interface FitConnectIntake {
  receiver: FitConnectReceiver;
  /** The callback route's options, when a callback secret is configured. */
  routes?: FitConnectRoutesOptions;
}

type IntakeSettings = Omit<
  FitConnectConfig,
  'encryptionKeyFile' | 'signingKeyFile' | 'eidTrustAnchorsFile' | 'keyTrustAnchorsFile'
> & {
  encryptionKey: JWK;
  signingKey: JWK;
  eidTrustAnchors: readonly X509Certificate[];
  /** Set: both keys must carry an `x5c` chain to one of these, checked here before anything is received. */
  keyTrustAnchors?: readonly X509Certificate[];
};

export interface FitConnectDeps {
  cases: CaseClient;
  identity: TokenVerifier;
  facts?: SubmissionFactsStore;
  /** Where an objection's attachments are stored, and the largest one taken. */
  documents?: DocumentStore;
  uploadMaxBytes?: number;
  logger?: Logger;
}

/** Checks that a key's `x5c` chain ends at an anchor and that its leaf certifies this very key. */
export function checkKeyChain(jwk: JWK, anchors: readonly X509Certificate[], variable: string): void {
  try {
    const leaf = verifyX5c(jwk.x5c, anchors);
    const certified = leaf.publicKey.export({ format: 'jwk' }) as JWK;
    if (certified.n !== jwk.n || certified.e !== jwk.e)
      throw new UntrustedChainError('the certificate is for another key');
  } catch (err) {
    if (err instanceof UntrustedChainError) throw new Error(`${variable}: ${err.message}`);
    throw err;
  }
}

/** The FIT-Connect receiver for a configured delivery service and destination (API process). */
export async function fitConnectIntake(c: IntakeSettings, deps: FitConnectDeps): Promise<FitConnectIntake> {
  if (c.keyTrustAnchors) {
    checkKeyChain(c.encryptionKey, c.keyTrustAnchors, 'FIT_CONNECT_ENCRYPTION_KEY_FILE');
    checkKeyChain(c.signingKey, c.keyTrustAnchors, 'FIT_CONNECT_SIGNING_KEY_FILE');
  }
  const api = new SubmissionApi(
    c.submissionUrl,
    new ClientCredentials({ tokenUrl: c.tokenUrl, clientId: c.clientId, clientSecret: c.clientSecret }),
  );
  const receiver = new FitConnectReceiver({
    api,
    destinationId: c.destinationId,
    authorityId: c.authorityId,
    encryptionKey: c.encryptionKey,
    signingKey: c.signingKey,
    cases: deps.cases,
    eidTrustAnchors: c.eidTrustAnchors,
    ...(c.acceptIdTokens && { idTokens: deps.identity }),
    ...(deps.facts && { facts: deps.facts }),
    ...(deps.documents && { documents: deps.documents }),
    ...(deps.uploadMaxBytes && { uploadMaxBytes: deps.uploadMaxBytes }),
    ...(deps.logger && { logger: deps.logger }),
  });
  const routes: FitConnectRoutesOptions | undefined = c.callbackSecret
    ? { callbackSecret: c.callbackSecret, onNewSubmissions: (ids) => receiver.announce(ids) }
    : undefined;
  return { receiver, routes };
}

/** The same, with the keys and trust anchors read from the configured files. */
export async function configuredFitConnectIntake(c: FitConnectConfig, deps: FitConnectDeps): Promise<FitConnectIntake> {
  return fitConnectIntake(
    {
      ...c,
      encryptionKey: await readPrivateJwk(c.encryptionKeyFile, 'FIT_CONNECT_ENCRYPTION_KEY_FILE'),
      signingKey: await readPrivateJwk(c.signingKeyFile, 'FIT_CONNECT_SIGNING_KEY_FILE'),
      eidTrustAnchors: c.eidTrustAnchorsFile
        ? await readTrustAnchors(c.eidTrustAnchorsFile, 'FIT_CONNECT_EID_TRUST_ANCHORS')
        : [],
      ...(c.keyTrustAnchorsFile && {
        keyTrustAnchors: await readTrustAnchors(c.keyTrustAnchorsFile, 'FIT_CONNECT_KEY_TRUST_ANCHORS'),
      }),
    },
    deps,
  );
}

import type { JWK } from 'jose';
import { readPrivateJwk } from '../adapters/fit-connect/crypto.js';
import { ClientCredentials, SubmissionApi } from '../adapters/fit-connect/submission-api.js';
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

/** The FIT-Connect receiver for a configured delivery service and destination (API process). */
export async function fitConnectIntake(
  c: Omit<FitConnectConfig, 'encryptionKeyFile' | 'signingKeyFile'> & { encryptionKey: JWK; signingKey: JWK },
  deps: { cases: CaseClient; identity: TokenVerifier; logger?: Logger },
): Promise<FitConnectIntake> {
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
    identity: deps.identity,
    logger: deps.logger,
  });
  const routes: FitConnectRoutesOptions | undefined = c.callbackSecret
    ? {
        callbackSecret: c.callbackSecret,
        onNewSubmissions: (ids) => {
          for (const id of ids) void receiver.receive(id);
        },
      }
    : undefined;
  return { receiver, routes };
}

/** The same, with the keys read from the configured files. */
export async function configuredFitConnectIntake(
  c: FitConnectConfig,
  deps: { cases: CaseClient; identity: TokenVerifier; logger?: Logger },
): Promise<FitConnectIntake> {
  return fitConnectIntake(
    {
      ...c,
      encryptionKey: await readPrivateJwk(c.encryptionKeyFile, 'FIT_CONNECT_ENCRYPTION_KEY_FILE'),
      signingKey: await readPrivateJwk(c.signingKeyFile, 'FIT_CONNECT_SIGNING_KEY_FILE'),
    },
    deps,
  );
}

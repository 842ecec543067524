import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { DocumentStore } from '../../adapters/document-store.js';
import type { Postbox } from '../../adapters/postbox.js';
import type { TaskClient } from '../../client/task-client.js';
import type { CorrectionClient } from '../../client/correction-client.js';
import { CaseFiles } from './case-file.js';
import { caseFileRoutes } from './case-file-routes.js';
import type { LoginOptions } from './login.js';
import { workbench } from './plugin.js';
import type { Database } from '../../db/client.js';
import type { BlindIndex } from '../../platform/blind-index.js';

export { CaseFiles } from './case-file.js';

export interface WorkbenchDeps {
  files: CaseFiles;
  db: Database;
  /** Letters to the applicant: rendered into the document store and sent through the postbox (both needed to send). */
  letters?: { documents: DocumentStore; postbox?: Postbox };
  /** Serves the pages under /workbench when given; without it only the case-file API. */
  pages?: {
    login: LoginOptions;
    sessionSecret: string;
    sessionIdleMs?: number;
    publicBaseUrl?: string;
    /** Hashes the search text as intake hashed the Akte's values; absent: the demo's development key. */
    searchIndex?: BlindIndex;
  };
}

/** The case-file API for staff and, when login is configured, the workbench pages that use it. */
export async function registerWorkbench(
  app: FastifyInstance,
  o: WorkbenchDeps & { tasks: TaskClient; corrections?: CorrectionClient },
): Promise<void> {
  await app.register(caseFileRoutes, { files: o.files, db: o.db });
  if (o.pages)
    await app.register(workbench, {
      files: o.files,
      tasks: o.tasks,
      db: o.db,
      letters: o.letters,
      corrections: o.corrections,
      ...o.pages,
    });
}

/**
 * The workbench as the engine serves it: login at the configured provider, else at the local sandbox provider.
 * `o.publicBaseUrl` is the engine's public address (PUBLIC_BASE_URL): the login's redirect URI and the cookies' Secure
 * flag come from it and never from the request's Host header. Only a development stack may leave it out.
 */
export function workbenchFor(
  config: {
    publicBaseUrl: string;
    workbench: { oidcIssuer?: string; clientId: string; sessionSecret?: string; sessionIdleMs?: number };
  },
  o: {
    client: Client;
    db: Database;
    documents: DocumentStore;
    postbox?: Postbox;
    localIssuer?: string;
    publicBaseUrl?: string;
    searchIndex?: BlindIndex;
  },
): WorkbenchDeps {
  const issuer = config.workbench.oidcIssuer ?? o.localIssuer;
  return {
    files: new CaseFiles({ client: o.client, db: o.db, documents: o.documents, publicBaseUrl: config.publicBaseUrl }),
    db: o.db,
    letters: { documents: o.documents, postbox: o.postbox },
    pages: issuer
      ? {
          login: { issuer, clientId: config.workbench.clientId },
          sessionSecret: config.workbench.sessionSecret ?? randomBytes(32).toString('base64url'),
          sessionIdleMs: config.workbench.sessionIdleMs,
          publicBaseUrl: o.publicBaseUrl,
          searchIndex: o.searchIndex,
        }
      : undefined,
  };
}

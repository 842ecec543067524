import { Client, Connection } from '@temporalio/client';
import { DocumentStore } from '../adapters/document-store.js';
import type { SealKeyStore } from '../adapters/seal-keys.js';
import { FolderBlobStore } from '../adapters/blob-store/blob-store.js';
import { jwtVerifier } from '../platform/auth/tokens.js';
import { connectDatabase } from '../db/client.js';
import { CaseClient } from '../client/case-client.js';
import { buildHttpApi } from './http-api.js';
import { QuestionClient } from '../client/question-client.js';
import { TaskClient } from '../client/task-client.js';
import { CaseFiles } from './workbench/index.js';
import type { FastifyInstance } from 'fastify';
import { type Access, declaredAccessOf, declaredObjectionAuthorityOf, declaredRolesOf } from './access.js';
import type { StaffRole } from '../workflows/contracts/task.js';

const noSealKeys: SealKeyStore = {
  keyFor: () => Promise.reject(new Error('document only')),
  trustAnchors: async () => [],
};

/**
 * The OpenAPI document of the whole API, every optional route group included, built without a server:
 * connections are lazy and nothing is called, so it needs no Temporal, database or network.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  return withDocumentApi((app) => app.swagger() as unknown as Record<string, unknown>);
}

/** Every route of the whole API with its declared access and, where narrowed, its staff roles (for the role matrix). */
export function declaredRouteAccess(): Promise<
  Array<{ route: string; access: Access; roles?: readonly StaffRole[]; objectionAuthority?: boolean }>
> {
  return withDocumentApi((app) => {
    const roles = declaredRolesOf(app);
    const objection = declaredObjectionAuthorityOf(app);
    return [...declaredAccessOf(app)]
      .filter(([route]) => !route.startsWith('HEAD '))
      .map(([route, access]) => ({
        route,
        access,
        ...(roles.has(route) && { roles: roles.get(route) }),
        ...(objection.has(route) && { objectionAuthority: true }),
      }));
  });
}

async function withDocumentApi<T>(read: (app: FastifyInstance) => T): Promise<T> {
  const database = connectDatabase('postgres://document-only.invalid/none', { max: 1 });
  const client = new Client({ connection: Connection.lazy({ address: 'document-only.invalid:7233' }) });
  const documents = new DocumentStore(new FolderBlobStore('/nonexistent'));
  const app = await buildHttpApi({
    cases: new CaseClient(client, database.db),
    tasks: new TaskClient(client, database.db),
    auth: jwtVerifier(() => Promise.reject(new Error('document only')), {
      issuer: 'document-only',
      audience: 'document-only',
    }),
    identity: { verify: () => Promise.reject(new Error('document only')) },
    verification: { db: database.db, documents, sealKeys: noSealKeys },
    evidence: { db: database.db, documents, uploadMaxBytes: 1 },
    payments: { db: database.db, webhookSecret: 'whsec_ZG9jdW1lbnQ=' },
    assistant: { questions: new QuestionClient(client) },
    fitConnect: { callbackSecret: 'document only', onNewSubmissions: () => 0 },
    incidents: { db: database.db, resolve: () => Promise.reject(new Error('document only')) },
    // The case-file API; the workbench's pages are HTML for browsers and stay out of the document.
    workbench: {
      db: database.db,
      files: new CaseFiles({ client, db: database.db, documents, publicBaseUrl: 'http://document-only.invalid' }),
    },
  });
  try {
    await app.ready();
    return read(app);
  } finally {
    await app.close();
    await database.close();
  }
}

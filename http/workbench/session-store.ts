import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.js';
import {
  createWorkbenchSession,
  deleteEndedWorkbenchSessions,
  revokeWorkbenchSession,
  touchWorkbenchSession,
} from '../../db/queries/workbench-sessions.js';
import type { StaffSession } from './login.js';

const sha256 = (id: string) => createHash('sha256').update(id).digest('hex');
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Workbench sessions in PostgreSQL, shared by every API process: the cookie carries a random id, the row the person.
 * A session ends after `idleMs` without a request, at the login token's expiry, or when the person logs out.
 */
export class WorkbenchSessionStore {
  constructor(
    private readonly db: Database,
    readonly idleMs: number,
  ) {}

  /** A new session for a person who just logged in; returns the id for the cookie. */
  async open(staff: StaffSession): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await createWorkbenchSession(this.db, { idSha256: sha256(id), staff, expiresAt: new Date(staff.exp * 1000) });
    // Ended sessions are kept a day for the record, then forgotten; each login tidies up.
    await deleteEndedWorkbenchSessions(this.db, { before: new Date(Date.now() - DAY_MS) });
    return id;
  }

  /** The person of a live session, counting this request as use; undefined when it ended. */
  async use(id: string): Promise<StaffSession | undefined> {
    const now = new Date();
    const staff = await touchWorkbenchSession(this.db, {
      idSha256: sha256(id),
      idleSince: new Date(now.getTime() - this.idleMs),
      now,
    });
    return staff as StaffSession | undefined;
  }

  async revoke(id: string): Promise<void> {
    await revokeWorkbenchSession(this.db, { idSha256: sha256(id), now: new Date() });
  }
}

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export interface ChainedEvent {
  caseId: string;
  seq: number;
  type: string;
  status: string;
  data: unknown;
  at: Date;
  prevHash: string | null;
  hash: string | null;
}

/** The hash of one event log entry: SHA-256 over the previous entry's hash and this entry in canonical JSON (RFC 8785). */
export function eventHash(e: Omit<ChainedEvent, 'hash'>): string {
  const body = canonicalize({
    caseId: e.caseId,
    seq: e.seq,
    type: e.type,
    status: e.status,
    data: e.data,
    at: e.at.toISOString(),
  });
  return createHash('sha256')
    .update(`${e.prevHash ?? ''}\n${body}`)
    .digest('hex');
}

export interface ChainCheck {
  valid: boolean;
  entries: number;
  /** The last entry's hash: an archive package records it, so a removed tail is detected too. */
  head: string;
  problems: string[];
}

/**
 * Walks a case's event log in order: a changed entry breaks its own hash, a removed one the next entry's link or the
 * seq run. `archivedHead` (from the archive package) must still be in the chain, so a removed tail is detected too.
 */
export function verifyEventChain(events: ChainedEvent[], archivedHead?: string): ChainCheck {
  const problems: string[] = [];
  let prev = '';
  events.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`entry ${e.seq}: expected seq ${i + 1}, an entry is missing`);
    if ((e.prevHash ?? '') !== prev) problems.push(`entry ${e.seq}: does not link to the previous entry`);
    if (e.hash !== eventHash(e)) problems.push(`entry ${e.seq}: content does not match its hash`);
    prev = e.hash ?? '';
  });
  if (archivedHead && !events.some((e) => e.hash === archivedHead))
    problems.push(`the entry the archive recorded as head (${archivedHead}) is gone`);
  return { valid: problems.length === 0, entries: events.length, head: prev, problems };
}

/** A case's event log that does not verify: no retry can repair it, an operator must. */
export class EventChainBrokenError extends Error {
  constructor(caseId: string, problems: string[]) {
    super(`event log of case ${caseId} is broken: ${problems.join('; ')}`);
    this.name = 'EventChainBrokenError';
  }
}

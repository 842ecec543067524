import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import canonicalize from 'canonicalize';
import { LRUCache } from 'lru-cache';
import type { DbExecutor } from '../db/client.js';
import { antragDocumentId, findAkte, findAkteDocument } from '../db/queries/akte.js';
import type { ApplicationSource, IdentityAssertion } from '../workflows/contracts/case.js';

/** SHA-256 of the application's canonical JSON (RFC 8785): what the Akte's index and the claim-check carry. */
export const antragSha256 = (application: unknown): string =>
  createHash('sha256')
    .update(canonicalize(application) ?? 'null')
    .digest('hex');

/**
 * Applications read from the Akte and found to match the hash their case carries, by document and hash: a case's
 * steps (intake, each register, decision, Bescheid, letters) read and hash its Antrag once per worker process, not
 * once per step. Only content that matched the reference is kept, so a hit is exactly what a fresh read would have
 * accepted; a few minutes and a thousand cases at most (the steps of one case follow each other within seconds).
 */
const verifiedAntraege = new LRUCache<string, Record<string, unknown>>({ max: 1000, ttl: 5 * 60_000 });

/**
 * The application a step needs (claim-check): read from the Akte by the reference the case carries, checked against
 * its hash, or taken as it is from a case started before the Akte. A missing or changed Antrag is final: retrying
 * cannot bring it back, so an operator sees it as an incident.
 */
export async function applicationFrom(db: DbExecutor, src: ApplicationSource): Promise<Record<string, unknown>> {
  if (!src.antrag) {
    if (src.application) return src.application;
    throw ApplicationFailure.nonRetryable('the step was given neither the application nor its Akte', 'AntragMissing');
  }
  if (!src.caseId) throw ApplicationFailure.nonRetryable('an Antrag reference without its case', 'AntragMissing');
  const documentId = antragDocumentId(src.caseId);
  const key = `${documentId}\n${src.antrag.sha256}`;
  const known = verifiedAntraege.get(key);
  // A copy: a step that changes its application must not change the next step's.
  if (known) return structuredClone(known);
  const doc = await findAkteDocument(db, { documentId });
  if (!doc || doc.kind !== 'antrag' || !doc.content)
    throw ApplicationFailure.nonRetryable(`the Akte holds no Antrag ${documentId}`, 'AntragMissing');
  if (doc.sha256 !== src.antrag.sha256 || antragSha256(doc.content) !== src.antrag.sha256)
    throw ApplicationFailure.nonRetryable(`the Antrag ${documentId} was changed`, 'AntragChanged');
  const application = doc.content as Record<string, unknown>;
  verifiedAntraege.set(key, structuredClone(application));
  return application;
}

/** The identity as intake verified it (with the attested name), from the case's Akte; absent for cases before it. */
export async function identityFromAkte(db: DbExecutor, caseId: string): Promise<IdentityAssertion | undefined> {
  return (await findAkte(db, { caseId }))?.identity as IdentityAssertion | undefined;
}

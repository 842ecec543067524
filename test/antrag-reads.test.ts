import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { antragSha256, applicationFrom } from '../activities/antrag.js';
import { antragDocumentId, openAkte } from '../db/queries/akte.js';
import { akteDocuments } from '../db/schema.js';
import { db } from './harness.js';

/** An Akte with its Antrag, as intake writes it; returns the reference a case carries. */
async function akteWith(application: Record<string, unknown>) {
  const caseId = randomUUID();
  const sha256 = antragSha256(application);
  await openAkte(db, {
    caseId,
    authorityId: 'stadt-musterstadt',
    serviceKey: 'bewohnerparken',
    year: 2026,
    aktenzeichen: (n) => `ANTRAG-READS/2026/${n}-${caseId.slice(0, 8)}`,
    applicantSubject: `subject-${caseId}`,
    identity: { subject: `subject-${caseId}` },
    submissionSha256: sha256,
    schemaId: 'bewohnerparken',
    schemaVersion: '1',
    ruleSetVersion: '1',
    submittedAt: new Date(),
    antrag: { content: application, sha256, size: JSON.stringify(application).length, title: 'Antrag' },
  });
  return { caseId, antrag: { documentId: antragDocumentId(caseId), sha256 } };
}

const changeAntrag = (caseId: string, content: Record<string, unknown>) =>
  db
    .update(akteDocuments)
    .set({ content })
    .where(eq(akteDocuments.documentId, antragDocumentId(caseId)));

describe('the Antrag a step reads (claim-check)', () => {
  it('an Antrag changed before a step first reads it is refused as changed', async () => {
    const ref = await akteWith({ street: 'Hauptstraße 1', licensePlate: 'M-AB 123' });
    await changeAntrag(ref.caseId, { street: 'Nebenstraße 2', licensePlate: 'M-AB 123' });
    await expect(applicationFrom(db, ref)).rejects.toMatchObject({ type: 'AntragChanged' });
  });

  it("the case's later steps get the application its reference names, read and checked once, each its own copy", async () => {
    const application = { street: 'Hauptstraße 1', licensePlate: 'M-AB 123', children: [{ age: 4 }] };
    const ref = await akteWith(application);
    const first = await applicationFrom(db, ref);
    expect(first).toEqual(application);
    // A step that alters its copy does not alter the next step's.
    (first['children'] as Array<{ age: number }>)[0]!.age = 40;
    // A later change to the stored Antrag does not reach the case's steps: they keep deciding on what was submitted.
    await changeAntrag(ref.caseId, { ...application, street: 'Nebenstraße 2' });
    expect(await applicationFrom(db, ref)).toEqual(application);
    // A reference with another hash is no hit: it is read and checked again, and refused.
    await expect(
      applicationFrom(db, { ...ref, antrag: { ...ref.antrag, sha256: antragSha256({ other: true }) } }),
    ).rejects.toMatchObject({ type: 'AntragChanged' });
  });
});

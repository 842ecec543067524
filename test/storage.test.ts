import { describe, expect, it } from 'vitest';
import { BlobArchiveStore } from '../adapters/archive-store.js';
import { DocumentStore, sha256Hex } from '../adapters/document-store.js';
import { blobs } from '../db/schema.js';
import { PostgresBlobStore } from '../adapters/blob-store/postgres-blob-store.js';
import { activityDeps } from '../app/adapters.js';
import { dataDir, db, postboxUrl, publicBaseUrl, sealKeys, testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';
import { eq } from 'drizzle-orm';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../adapters/blob-store/s3-blob-store.js';
import { startS3Server } from './support/s3-server.js';

describe('documents and archive packages in PostgreSQL, where every process reaches them', () => {
  it('runs a case whose sealed Bescheid and archive package another process can read and verify', async () => {
    const shared = new PostgresBlobStore(db);
    const { registers, payments } = testDeps();
    const deps = activityDeps(dataDir, db, registers, { publicBaseUrl, postboxUrl, sealKeys, payments, blobs: shared });
    const result = await withWorker(
      async ({ cases }) => cases.result((await cases.submit(applicationOf('resident', 5))).caseId),
      deps,
    );

    // A second process has its own store instances over the same database.
    const elsewhere = new PostgresBlobStore(db);
    const pdf = await new DocumentStore(elsewhere).get(result.bescheid.document.sha256);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const check = await new BlobArchiveStore(elsewhere).verify(result.archive.packageSha256);
    expect(check).toMatchObject({ valid: true, problems: [] });
    expect(check.manifest?.Akte.Vorgang.Dokumente.map((d) => d.Typ)).toContain('Bescheid');
    expect(result.archive.location).toMatch(/^postgres:archive\/packages\//);
  });

  it('stores a document once however often it is put, and finds a changed byte', async () => {
    const store = new PostgresBlobStore(db);
    const documents = new DocumentStore(store);
    const bytes = Buffer.from(`evidence ${Math.random()}`);
    const [a, b] = await Promise.all([documents.put(bytes, 'text/plain'), documents.put(bytes, 'text/plain')]);
    expect(a).toEqual(b);
    const key = `documents/${a.sha256.slice(0, 2)}/${a.sha256}`;
    expect(await db.select({ key: blobs.key }).from(blobs).where(eq(blobs.key, key))).toHaveLength(1);

    await db
      .update(blobs)
      .set({ bytes: Buffer.from('tampered') })
      .where(eq(blobs.key, key));
    await expect(documents.get(a.sha256)).rejects.toThrow(/corrupt/);
    await documents.delete(a.sha256);
    await expect(documents.get(a.sha256)).rejects.toThrow(/not stored/);
    await expect(documents.get(sha256Hex('never stored'))).rejects.toThrow(/not stored/);
  });

  it('refuses keys that would leave the store', async () => {
    const store = new PostgresBlobStore(db);
    await expect(new DocumentStore(store).get('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
  });
});

describe('documents and archive packages in an S3-compatible bucket', () => {
  it('puts, gets, verifies and deletes through the S3 API', async () => {
    const s3 = await startS3Server();
    try {
      process.env.AWS_ACCESS_KEY_ID = 'test';
      process.env.AWS_SECRET_ACCESS_KEY = 'test';
      const settings = {
        bucket: 'ozg-test',
        prefix: 'engine/',
        endpoint: s3.endpoint,
        region: 'eu-central-1',
        forcePathStyle: true,
      };
      const client = new S3Client({ region: settings.region, endpoint: settings.endpoint, forcePathStyle: true });
      await client.send(
        new CreateBucketCommand({
          Bucket: settings.bucket,
          CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
        }),
      );
      const store = new S3BlobStore(settings);
      const documents = new DocumentStore(store);
      const ref = await documents.put(Buffer.from('%PDF-1.7 Bescheid'), 'application/pdf');
      expect((await documents.get(ref.sha256)).toString()).toBe('%PDF-1.7 Bescheid');

      const archive = new BlobArchiveStore(store);
      const stored = await archive.store({
        caseId: 'c-1',
        serviceKey: 's',
        authorityId: 'a',
        closedAt: '2026-11-30T12:00:00.000Z',
        retentionYears: 10,
        eventLogHead: 'h',
        files: [
          {
            name: 'bescheid.pdf',
            kind: 'Bescheid',
            mediaType: 'application/pdf',
            bytes: Buffer.from('%PDF-1.7 Bescheid'),
          },
        ],
      });
      expect(stored.location).toMatch(/^s3:archive\/packages\//);
      expect(await new BlobArchiveStore(new S3BlobStore(settings)).verify(stored.packageSha256)).toMatchObject({
        valid: true,
      });

      await documents.delete(ref.sha256);
      await expect(documents.get(ref.sha256)).rejects.toThrow(/not stored/);
    } finally {
      await s3.stop();
    }
  });
});

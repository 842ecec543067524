import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from './blob-store.js';

export interface S3Settings {
  bucket: string;
  /** Key prefix inside the bucket, e.g. `ozg/`. */
  prefix: string;
  /** An S3-compatible endpoint (MinIO, Ceph, a cloud's); unset means AWS. Credentials come from the standard chain. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

/** Bytes in an S3-compatible bucket; content-addressed keys make a repeated put harmless. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly s3: S3Client;
  constructor(
    private readonly o: S3Settings,
    client?: S3Client,
  ) {
    this.s3 = client ?? new S3Client({ region: o.region, endpoint: o.endpoint, forcePathStyle: o.forcePathStyle });
  }

  async putOnce(key: string, bytes: Uint8Array, mediaType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.o.bucket, Key: this.o.prefix + key, Body: bytes, ContentType: mediaType }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.o.prefix + key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: this.o.prefix + key }));
  }
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import proto from '@temporalio/proto';
import { authorityOfKeyId, type AuthorityKeys, type AuthorityOf } from './authority-keys.js';
import type { KeyRing, PayloadKey } from './key-ring.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** A payload names a key id this ring does not hold (rotated out, or a different deployment's key). */
export class MissingPayloadKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      keyId.startsWith('dek:')
        ? `payload was encrypted with the data key "${keyId}", which the authorities' data keys (authority_data_keys) do not hold`
        : `payload was encrypted with key id "${keyId}", which is not in the payload key ring (PAYLOAD_KEYS / PAYLOAD_KEYS_FILE)`,
    );
    this.name = 'MissingPayloadKeyError';
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** A payload reached a codec that accepts only encrypted ones (the production profile): written without the codec. */
export class UnencryptedPayloadError extends Error {
  constructor() {
    super('payload is not encrypted: in the production profile every payload must come through the payload codec');
    this.name = 'UnencryptedPayloadError';
  }
}

export interface CodecOptions {
  /** Refuse payloads that are not encrypted (production): a client without the keys cannot write into a case. */
  requireEncryption?: boolean;
  /**
   * Per-authority data keys: a payload of a case's workflow (or of an activity it scheduled) is encrypted with the
   * case's authority's key, which the SDK's serialization context (workflow id) leads to. Without it, or for a
   * workflow of no case, the ring's newest key.
   */
  authorities?: { keys: AuthorityKeys; of: AuthorityOf };
}

/**
 * Encrypts each whole payload (metadata and data) with AES-256-GCM under the case's authority's data key (else the
 * ring's newest key); the key id, which names the authority, is both in the clear metadata and the additional
 * authenticated data. Payloads that are not encrypted decode unchanged,
 * so histories written before the codec keep replaying, unless `requireEncryption` (production) refuses them.
 */
export class AesGcmCodec implements PayloadCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly o: CodecOptions = {},
  ) {}

  /** The key payloads written now for this workflow or activity get. */
  async keyFor(context?: SerializationContext): Promise<PayloadKey> {
    const a = this.o.authorities;
    const workflowId = context?.workflowId;
    const authority = a && workflowId ? await a.of(workflowId) : undefined;
    return authority ? a!.keys.currentFor(authority) : this.keys.current();
  }

  /** Encrypts with a key chosen by the caller (the codec server: the operator's authority's key). */
  async encodeWith(payloads: Payload[], k: PayloadKey): Promise<Payload[]> {
    const { id, key } = k;
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(utf8(id));
      const body = Buffer.concat([cipher.update(ProtoPayload.encode(p).finish()), cipher.final()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (payloads.length === 0) return payloads;
    return this.encodeWith(payloads, await this.keyFor(context));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (p) => {
        if (text(p.metadata?.['encoding']) !== ENCRYPTED_ENCODING) {
          if (this.o.requireEncryption) throw new UnencryptedPayloadError();
          return p;
        }
        const id = text(p.metadata?.[KEY_ID_METADATA]);
        if (!id) throw new Error('encrypted payload has no encryption-key-id');
        const found = authorityOfKeyId(id) ? await this.o.authorities?.keys.find(id) : await this.keys.find(id);
        if (!found) throw new MissingPayloadKeyError(id);
        const data = Buffer.from(p.data ?? new Uint8Array());
        if (data.length < IV_BYTES + TAG_BYTES) throw new Error(`encrypted payload under key id "${id}" is truncated`);
        const decipher = createDecipheriv('aes-256-gcm', found.key, data.subarray(0, IV_BYTES));
        decipher.setAAD(utf8(id));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return ProtoPayload.decode(plain) as Payload;
      }),
    );
  }
}

import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import {
  authenticationTagOf,
  encryptPart,
  EVENT,
  sha512Hex,
  unverifiedSet,
  verifySet,
  type AuthenticationTags,
  type Problem,
  type VerifiedSet,
} from '../../../adapters/fit-connect/crypto.js';
import { ClientCredentials, FitConnectHttpError } from '../../../adapters/fit-connect/submission-api.js';

export interface SendSubmission {
  destinationId: string;
  /** `urn:de:fim:leika:leistung:<key>` */
  serviceIdentifier: string;
  serviceName?: string;
  /** The data part (JSON): the application exactly as the published data schema `schemaUri` describes it. */
  data: unknown;
  schemaUri: string;
  /** The metadata version to send (`$schema`); default 1.0.0. */
  metadataVersion?: string;
  /** `paymentInformation` and `replyChannel` of the metadata, as the schema spells them. */
  paymentInformation?: Record<string, unknown>;
  replyChannel?: Record<string, unknown>;
  attachments?: Array<{ bytes: Uint8Array; mimeType: string; filename?: string; purpose?: 'form' | 'attachment' }>;
  /** An identification report (a signed JWS from an eID service), sent as `authenticationInformation`. */
  identificationReport?: string;
  /** Compress each part before encryption (`zip: DEF`), as one of the public SDKs does. */
  compress?: boolean;
  /** Test hooks: send something broken on purpose. */
  tamper?: {
    /** Encrypt for this key instead of the destination's. */
    encryptionKey?: JWK;
    /** Replace the encrypted data with this text. */
    encryptedData?: string;
    /** Announce this hash for the data instead of the real one. */
    dataHash?: string;
    /** Change the metadata before it is encrypted. */
    metadata?: (metadata: Record<string, unknown>) => Record<string, unknown>;
  };
}

export interface SentSubmission {
  submissionId: string;
  caseId: string;
  authenticationTags: AuthenticationTags;
}

export interface Decision {
  event: 'accepted' | 'rejected';
  set: VerifiedSet;
  problems?: Problem[];
}

/**
 * A small FIT-Connect sender (an online service's side): fetches the destination's public keys, encrypts metadata,
 * data and attachments for it, creates, uploads and submits, and reads the case's event log, verifying every SET
 * (the delivery service's with its JWKS, the destination's with the destination's `verify` key).
 */
export class FitConnectSender {
  private readonly auth: ClientCredentials;

  constructor(private readonly o: { baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string }) {
    this.auth = new ClientCredentials(o);
  }

  private async call(what: string, path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.o.baseUrl}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await this.auth.bearer()}` },
    });
    if (!res.ok) throw new FitConnectHttpError(what, res.status);
    return res;
  }

  /** The destination's encryption key (key_ops wrapKey), checked before anything is encrypted for it. */
  async encryptionKey(destinationId: string): Promise<JWK> {
    const d = (await (await this.call('destination', `/v1/destinations/${destinationId}`)).json()) as {
      status: string;
      encryptionKid: string;
    };
    if (d.status !== 'active') throw new Error(`destination ${destinationId} is ${d.status}`);
    const key = (await (
      await this.call('destination key', `/v1/destinations/${destinationId}/keys/${d.encryptionKid}`)
    ).json()) as JWK;
    if (key.kty !== 'RSA' || key.alg !== 'RSA-OAEP-256' || !key.key_ops?.includes('wrapKey'))
      throw new Error('the destination publishes no RSA-OAEP-256 key with key_ops wrapKey');
    if ((key.n ?? '').length < 683) throw new Error('the destination key is shorter than 4096 bits');
    return key;
  }

  async submit(s: SendSubmission): Promise<SentSubmission> {
    const key = s.tamper?.encryptionKey ?? (await this.encryptionKey(s.destinationId));
    const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const attachments = (s.attachments ?? []).map((a) => ({ ...a, attachmentId: randomUUID() }));
    const created = (await (
      await this.call('create submission', '/v1/submissions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          destinationId: s.destinationId,
          announcedAttachments: attachments.map((a) => a.attachmentId),
          serviceType: { name: s.serviceName ?? s.serviceIdentifier, identifier: s.serviceIdentifier },
        }),
      })
    ).json()) as { submissionId: string; caseId: string };
    const tags: Record<string, string> = {};
    for (const a of attachments) {
      const jwe = await encryptPart(a.bytes, key, { contentType: a.mimeType, compress: s.compress });
      tags[a.attachmentId] = authenticationTagOf(jwe);
      await this.call('upload attachment', `/v1/submissions/${created.submissionId}/attachments/${a.attachmentId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/jose' },
        body: jwe,
      });
    }
    const dataBytes = json(s.data);
    const metadata = {
      $schema: `https://schema.fitko.de/fit-connect/metadata/${s.metadataVersion ?? '1.0.0'}/metadata.schema.json`,
      contentStructure: {
        data: {
          hash: { type: 'sha512', content: s.tamper?.dataHash ?? sha512Hex(dataBytes) },
          submissionSchema: { schemaUri: s.schemaUri, mimeType: 'application/json' },
        },
        attachments: attachments.map((a) => ({
          attachmentId: a.attachmentId,
          hash: { type: 'sha512', content: sha512Hex(a.bytes) },
          purpose: a.purpose ?? 'attachment',
          mimeType: a.mimeType,
          ...(a.filename && { filename: a.filename }),
        })),
      },
      ...(s.identificationReport && {
        authenticationInformation: [
          { type: 'identificationReport', version: '2.0.0', content: s.identificationReport },
        ],
      }),
      ...(s.paymentInformation && { paymentInformation: s.paymentInformation }),
      ...(s.replyChannel && { replyChannel: s.replyChannel }),
    };
    const sentMetadata = s.tamper?.metadata ? s.tamper.metadata(metadata) : metadata;
    const encryptedMetadata = await encryptPart(json(sentMetadata), key, { compress: s.compress });
    const encryptedData = s.tamper?.encryptedData ?? (await encryptPart(dataBytes, key, { compress: s.compress }));
    await this.call('submit', `/v1/submissions/${created.submissionId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encryptedMetadata, encryptedData }),
    });
    return {
      submissionId: created.submissionId,
      caseId: created.caseId,
      authenticationTags: {
        metadata: authenticationTagOf(encryptedMetadata),
        data: encryptedData.split('.')[4] ?? '',
        attachments: tags,
      },
    };
  }

  /** The case's event log, each SET's signature verified with its issuer's key. */
  async events(caseId: string): Promise<VerifiedSet[]> {
    const { eventLog } = (await (await this.call('event log', `/v1/cases/${caseId}/events`)).json()) as {
      eventLog: string[];
    };
    return Promise.all(eventLog.map((set) => this.verify(set)));
  }

  private async verify(set: string): Promise<VerifiedSet> {
    const { iss, kid } = unverifiedSet(set);
    if (!iss || !kid) throw new Error('SET without issuer or key id');
    let key: JWK | undefined;
    if (/^https?:\/\//.test(iss)) {
      // The delivery service's own events: its published key set.
      const jwks = (await (await fetch(`${this.o.baseUrl}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      key = jwks.keys.find((k) => k.kid === kid);
    } else {
      key = (await (await this.call('destination key', `/v1/destinations/${iss}/keys/${kid}`)).json()) as JWK;
      if (!key.key_ops?.includes('verify')) throw new Error('the destination key is no signature key');
    }
    if (!key) throw new Error(`no key ${kid} for ${iss}`);
    return verifySet(set, key);
  }

  /** The accept or reject event of the case, once the destination sent it (undefined until then). */
  async decision(caseId: string): Promise<Decision | undefined> {
    const final = (await this.events(caseId)).find((e) => e.event === EVENT.accept || e.event === EVENT.reject);
    if (!final) return undefined;
    return final.event === EVENT.accept
      ? { event: 'accepted', set: final }
      : { event: 'rejected', set: final, problems: final.payload['problems'] as Problem[] };
  }
}

/**
 * A FIT-Connect sender written only from the published specification, as an online portal team would write one. It
 * shares no code with the engine (its receiver, crypto helpers or stand-in sender): only `jose` and Node's crypto.
 *
 * Sources: Submission API v1 (https://docs.fitko.de/fit-connect/docs/apis/submission-api: POST /v1/submissions,
 * PUT /v1/submissions/{id}/attachments/{aid}, PUT /v1/submissions/{id}, GET /v1/destinations/{id} with `services`,
 * `metadataVersions`, `encryptionKid`, GET /v1/cases/{caseId}/events), the metadata schema 1.0.0
 * (https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json: contentStructure, authenticationInformation,
 * paymentInformation, replyChannel), JWE RSA-OAEP-256 + A256GCM with a 4096-bit key, SHA-512 hashes in hex, and
 * Security Event Tokens (RFC 8417) signed PS512 by the destination.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { CompactEncrypt, decodeJwt, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';

export interface SpecSenderOptions {
  submissionApi: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The CA the destination's key certificates (x5c) must chain to. */
  trustedCa: string;
}

export interface Destination {
  destinationId: string;
  status: string;
  encryptionKid: string;
  metadataVersions: string[];
  services: Array<{ identifier: string; submissionSchemas: Array<{ schemaUri: string; mimeType: string }> }>;
  publicKeys: { keys: JWK[] };
}

export interface Outgoing {
  destinationId: string;
  leikaKey: string;
  /** The application as the destination's published data schema for this service describes it. */
  data: Record<string, unknown>;
  metadataVersion?: string;
  /** Compact JWS of an eID service (identification report 2.0.0). */
  identificationReport?: string;
  paymentInformation?: Record<string, unknown>;
  replyChannel?: Record<string, unknown>;
  /** Extra top-level metadata fields (e.g. ones a later schema version added). */
  extraMetadata?: Record<string, unknown>;
  /** Deliberate breakage, for rejection tests. */
  broken?: { dataHash?: string; schemaUri?: string; dropAttachmentMetadata?: boolean; attachment?: Uint8Array };
}

export interface Event {
  event: string;
  issuer: string;
  payload: Record<string, unknown>;
}

const hex512 = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);

export class SpecSender {
  private token?: string;

  constructor(private readonly o: SpecSenderOptions) {}

  private async bearer(): Promise<string> {
    if (this.token) return this.token;
    const res = await fetch(this.o.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.o.clientId,
        client_secret: this.o.clientSecret,
      }),
    });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    this.token = ((await res.json()) as { access_token: string }).access_token;
    return this.token;
  }

  private async api(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.o.submissionApi}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await this.bearer()}` },
    });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}`);
    return res;
  }

  async destination(destinationId: string): Promise<Destination> {
    return (await (await this.api(`/v1/destinations/${destinationId}`)).json()) as Destination;
  }

  /** The destination's encryption key, after checking its x5c chain against the trusted CA and that it certifies this key. */
  encryptionKeyOf(d: Destination): JWK {
    const key = d.publicKeys.keys.find((k) => k.kid === d.encryptionKid);
    if (!key || key.alg !== 'RSA-OAEP-256' || !key.key_ops?.includes('wrapKey'))
      throw new Error('no RSA-OAEP-256 wrapKey key');
    const chain = (key.x5c ?? []).map((c) => new X509Certificate(Buffer.from(c, 'base64')));
    const ca = new X509Certificate(this.o.trustedCa);
    const leaf = chain[0];
    if (!leaf) throw new Error('the encryption key carries no x5c');
    const top = chain[chain.length - 1]!;
    for (let i = 0; i + 1 < chain.length; i++)
      if (!chain[i]!.verify(chain[i + 1]!.publicKey)) throw new Error('x5c chain broken');
    if (top.fingerprint256 !== ca.fingerprint256 && !top.verify(ca.publicKey)) throw new Error('x5c not from the CA');
    const certified = leaf.publicKey.export({ format: 'jwk' });
    if (certified.n !== key.n) throw new Error('the certificate is for another key');
    return key;
  }

  private async encrypt(bytes: Uint8Array, key: JWK, cty: string): Promise<string> {
    const k = await importJWK({ kty: key.kty, n: key.n, e: key.e }, 'RSA-OAEP-256');
    return new CompactEncrypt(bytes)
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: key.kid, cty })
      .encrypt(k);
  }

  async send(s: Outgoing): Promise<{ submissionId: string; caseId: string }> {
    const d = await this.destination(s.destinationId);
    const key = this.encryptionKeyOf(d);
    const service = d.services.find((x) => x.identifier === `urn:de:fim:leika:leistung:${s.leikaKey}`);
    const schema =
      s.broken?.schemaUri ?? service?.submissionSchemas.find((x) => x.mimeType === 'application/json')?.schemaUri;
    if (!schema) throw new Error(`the destination publishes no JSON schema for ${s.leikaKey}`);
    const version = s.metadataVersion ?? d.metadataVersions[0] ?? '1.0.0';
    const attachmentId = s.broken?.attachment ? crypto.randomUUID() : undefined;
    const created = (await (
      await this.api('/v1/submissions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          destinationId: s.destinationId,
          announcedAttachments: attachmentId ? [attachmentId] : [],
          serviceType: { identifier: `urn:de:fim:leika:leistung:${s.leikaKey}`, name: 'Antrag' },
        }),
      })
    ).json()) as { submissionId: string; caseId: string };
    if (attachmentId && s.broken?.attachment)
      await this.api(`/v1/submissions/${created.submissionId}/attachments/${attachmentId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/jose' },
        body: await this.encrypt(s.broken.attachment, key, 'application/pdf'),
      });
    const data = utf8(JSON.stringify(s.data));
    const metadata: Record<string, unknown> = {
      $schema: `https://schema.fitko.de/fit-connect/metadata/${version}/metadata.schema.json`,
      contentStructure: {
        data: {
          hash: { type: 'sha512', content: s.broken?.dataHash ?? hex512(data) },
          submissionSchema: { schemaUri: schema, mimeType: 'application/json' },
        },
        attachments: [],
      },
      ...(s.identificationReport && {
        authenticationInformation: [
          { type: 'identificationReport', version: '2.0.0', content: s.identificationReport },
        ],
      }),
      ...(s.paymentInformation && { paymentInformation: s.paymentInformation }),
      ...(s.replyChannel && { replyChannel: s.replyChannel }),
      ...s.extraMetadata,
    };
    await this.api(`/v1/submissions/${created.submissionId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        encryptedMetadata: await this.encrypt(utf8(JSON.stringify(metadata)), key, 'application/json'),
        encryptedData: await this.encrypt(data, key, 'application/json'),
      }),
    });
    return created;
  }

  /** The case's events; the destination's own ones verified with its published signature key. */
  async events(destinationId: string, caseId: string): Promise<Event[]> {
    const { eventLog } = (await (await this.api(`/v1/cases/${caseId}/events`)).json()) as { eventLog: string[] };
    const d = await this.destination(destinationId);
    const out: Event[] = [];
    for (const set of eventLog) {
      const claims = decodeJwt(set);
      if (claims.iss === destinationId) {
        const kid = decodeProtectedHeader(set).kid;
        const jwk = d.publicKeys.keys.find((k) => k.kid === kid && k.key_ops?.includes('verify'));
        if (!jwk) throw new Error('event signed with an unknown key');
        await jwtVerify(set, await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'PS512'), {
          algorithms: ['PS512'],
          typ: 'secevent+jwt',
        });
      }
      const events = claims['events'] as Record<string, Record<string, unknown>>;
      const [event] = Object.keys(events);
      out.push({ event: event!, issuer: String(claims.iss), payload: events[event!] ?? {} });
    }
    return out;
  }

  /** accept-submission or reject-submission, once the destination sent it. */
  async decision(destinationId: string, caseId: string): Promise<Event | undefined> {
    return (await this.events(destinationId, caseId)).find((e) => /\/(accept|reject)-submission$/.test(e.event));
  }
}

import { request as httpRequest } from 'undici';
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, attribute, sha256 } from './cms-signed-data.js';

/** An RFC 3161 timestamp authority; the seal asks it for a signature-time-stamp (PAdES B-T). */
export interface TimestampAuthority {
  /** The CAdES signature-time-stamp attribute over this signature value. */
  timestampAttribute(signature: Buffer): Promise<pkijs.Attribute>;
}

/** RFC 3161 over HTTP (application/timestamp-query → application/timestamp-reply). */
export class HttpTimestampAuthority implements TimestampAuthority {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async timestampAttribute(signature: Buffer): Promise<pkijs.Attribute> {
    const imprint = new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: sha256(signature) }),
    });
    const nonce = new asn1js.Integer({ valueHex: Buffer.concat([Buffer.from([0x01]), randomBytes(8)]) });
    const request = new pkijs.TimeStampReq({ version: 1, messageImprint: imprint, certReq: true, nonce });
    const res = await httpRequest(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(request.toSchema().toBER()),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump();
      throw new Error(`timestamp authority answered ${res.statusCode}`);
    }
    const response = pkijs.TimeStampResp.fromBER(await res.body.arrayBuffer());
    if (
      response.status.status !== pkijs.PKIStatus.granted &&
      response.status.status !== pkijs.PKIStatus.grantedWithMods
    ) {
      throw new Error(`timestamp authority refused: status ${response.status.status}`);
    }
    const token = response.timeStampToken;
    if (!token) throw new Error('timestamp authority sent no token');
    const info = tstInfoOf(token);
    if (!Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(sha256(signature))) {
      throw new Error('timestamp token covers other data');
    }
    if (
      !info.nonce ||
      !Buffer.from(info.nonce.valueBlock.valueHexView).equals(Buffer.from(nonce.valueBlock.valueHexView))
    ) {
      throw new Error('timestamp token carries another nonce');
    }
    return attribute(OID.signatureTimeStampToken, token.toSchema());
  }
}

/** The TSTInfo inside a timestamp token (a SignedData whose content is the TSTInfo). */
export function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  const signed = new pkijs.SignedData({ schema: token.content });
  const content = signed.encapContentInfo.eContent;
  if (signed.encapContentInfo.eContentType !== OID.tstInfo || !content) throw new Error('not a timestamp token');
  return pkijs.TSTInfo.fromBER(content.getValue());
}

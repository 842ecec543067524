import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sha256Hex } from './document-store.js';
import { tstInfoOf } from './timestamp.js';

export interface SealCheck {
  /** True only when the signature is intact, covers the whole file, and its certificate chains to a trusted CA. */
  valid: boolean;
  sha256: string;
  reason?: string;
  signer?: string;
  signedAt?: string;
  /** `PAdES B-B` with ESS signing-certificate-v2, `PAdES B-T` with a signature timestamp as well. */
  profile?: 'PAdES B-B' | 'PAdES B-T' | 'CMS';
  /** The RFC 3161 timestamp's time, when the seal carries one. */
  timestampedAt?: string;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/**
 * Verifies the embedded CMS signature of a sealed PDF against the trusted CA certificates (PEM). With
 * `sealCertificateSha256` (a prefix of the SHA-256 of the sealing authority's own certificate, as a seal's key id
 * records it), a certificate of another authority under the same anchors does not count.
 */
export async function verifySealedPdf(
  pdf: Uint8Array,
  trustAnchorsPem: string[],
  o: { sealCertificateSha256?: string } = {},
): Promise<SealCheck> {
  const bytes = Buffer.from(pdf);
  const sha256 = sha256Hex(bytes);
  const fail = (reason: string): SealCheck => ({ valid: false, sha256, reason });

  const ranges = [...bytes.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const last = ranges.at(-1);
  if (!last) return fail('no embedded signature');
  const [a, b, c, d] = last.slice(1, 5).map(Number) as [number, number, number, number];
  // Anything outside the signed ranges, except the signature itself, would be an unsigned change.
  if (a !== 0 || c + d !== bytes.length || c <= b) return fail('the signature does not cover the whole document');
  const contents = bytes.subarray(b, c).toString('latin1');
  if (!/^<[0-9a-fA-F]+>$/.test(contents)) return fail('malformed signature contents');
  const cms = Buffer.from(contents.slice(1, -1), 'hex');
  const signed = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);

  try {
    const asn1 = asn1js.fromBER(toArrayBuffer(cms));
    if (asn1.offset === -1) return fail('the signature is not valid CMS');
    const signedData = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1.result }).content });
    const trustedCerts = trustAnchorsPem.map((pem) => pkijs.Certificate.fromBER(toArrayBuffer(pemToDer(pem))));
    const result = await signedData.verify({
      signer: 0,
      data: toArrayBuffer(signed),
      trustedCerts,
      checkChain: true,
      extendedMode: true,
    });
    const signerCert = result.signerCertificate;
    const signer = signerCert?.subject.typesAndValues.find((t) => t.type === OID_COMMON_NAME)?.value.valueBlock.value as
      | string
      | undefined;
    const time = signedData.signerInfos[0]?.signedAttrs?.attributes.find((x) => x.type === OID_SIGNING_TIME)
      ?.values[0] as asn1js.UTCTime | undefined;
    const info = signedData.signerInfos[0];
    const tokenAttr = info?.unsignedAttrs?.attributes.find((x) => x.type === OID_SIGNATURE_TIMESTAMP);
    const timestampedAt = tokenAttr
      ? tstInfoOf(new pkijs.ContentInfo({ schema: tokenAttr.values[0] })).genTime.toISOString()
      : undefined;
    const essBound = info?.signedAttrs?.attributes.some((x) => x.type === OID_SIGNING_CERTIFICATE_V2) ?? false;
    const profile = !essBound ? 'CMS' : timestampedAt ? 'PAdES B-T' : 'PAdES B-B';
    // PAdES puts the claimed signing time in the signature dictionary's /M, not in the CMS.
    const signedAt = time?.toDate().toISOString() ?? signingTimeOfDictionary(signed.toString('latin1'));
    if (!result.signatureVerified)
      return { ...fail(result.message || 'the signature does not match the document'), signer, signedAt };
    const expected = o.sealCertificateSha256?.toLowerCase();
    if (expected !== undefined) {
      const actual = signerCert ? sha256Hex(Buffer.from(signerCert.toSchema().toBER(false))) : '';
      if (expected.length < 16 || !actual.startsWith(expected))
        return { ...fail("the seal certificate is not the sealing authority's own"), signer, signedAt };
    }
    return { valid: true, sha256, signer, signedAt, profile, ...(timestampedAt && { timestampedAt }) };
  } catch (err) {
    const message = (err as { message?: string }).message ?? String(err);
    return fail(`the signature does not verify: ${message}`);
  }
}

function signingTimeOfDictionary(signedPart: string): string | undefined {
  const m = [...signedPart.matchAll(/\/M\s*\(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/g)].at(-1);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`).toISOString() : undefined;
}

const pemToDer = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
const toArrayBuffer = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

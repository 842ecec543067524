import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** ESS signing-certificate-v2 (RFC 5035): binds the signer's certificate into the signed attributes. */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** RFC 3161 timestamp over the signature value, an unsigned attribute (CAdES signature-time-stamp). */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

/** DER prefix of a PKCS#1 DigestInfo for SHA-256; the 32-byte digest follows. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export interface SignedDataRequest {
  /** The signer's certificate (DER) and the chain to include (DER). */
  certificate: Uint8Array;
  chain: Uint8Array[];
  /** RSA PKCS#1 v1.5 over a SHA-256 DigestInfo (CKM_RSA_PKCS), so an HSM can sit behind it. */
  signDigestInfo: (digestInfo: Buffer) => Buffer | Promise<Buffer>;
  /** Content type of what is signed; its bytes are embedded only when `embed` is set (a timestamp token). */
  contentType: string;
  content: Uint8Array;
  embed?: boolean;
  /** Only where a profile wants it: PAdES forbids signing-time (the time is the PDF's /M entry or a timestamp). */
  signingTime?: Date;
  /** Unsigned attributes computed from the signature value, e.g. a timestamp token. */
  unsigned?: (signature: Buffer) => Promise<pkijs.Attribute[]>;
}

/**
 * A CMS SignedData with the ESS signing-certificate-v2 attribute (what PAdES/CAdES baseline B-B needs). Built from
 * pkijs types, with the private-key operation delegated.
 */
export async function buildSignedData(r: SignedDataRequest): Promise<Buffer> {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(r.certificate));
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: r.contentType })),
    ...(r.signingTime ? [attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: r.signingTime }))] : []),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: sha256(r.content) })),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert, r.certificate)),
  ];
  // DER wants a SET OF sorted by encoding; verifiers hash the attributes as encoded here.
  attributes.sort((a, b) => Buffer.compare(der(a.toSchema()), der(b.toSchema())));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const toSign = der(signedAttrs.toSchema());
  toSign[0] = 0x31;
  const signature = await r.signDigestInfo(Buffer.concat([SHA256_DIGEST_INFO, sha256(toSign)]));
  const unsignedAttrs = r.unsigned ? await r.unsigned(signature) : [];

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID.rsaEncryption,
      algorithmParams: new asn1js.Null(),
    }),
    signature: new asn1js.OctetString({ valueHex: signature }),
    ...(unsignedAttrs.length && {
      unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: unsignedAttrs }),
    }),
  });
  const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: r.contentType });
  // Set after construction: pkijs's constructor splits an eContent into a constructed OCTET STRING (BER), which DER
  // forbids and strict verifiers (pyHanko's asn1crypto) reject in a timestamp token.
  if (r.embed) encapContentInfo.eContent = new asn1js.OctetString({ valueHex: r.content });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() })],
    encapContentInfo,
    certificates: [cert, ...r.chain.map((c) => pkijs.Certificate.fromBER(new Uint8Array(c)))],
    signerInfos: [signerInfo],
  });
  if (r.embed) signedData.version = 3;
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER());
}

export const attribute = (type: string, value: asn1js.AsnType): pkijs.Attribute =>
  new pkijs.Attribute({ type, values: [value] });

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; sha256 is the default hash, so it is omitted. */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })],
      }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: sha256(certDer) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

const der = (schema: asn1js.AsnType): Uint8Array => new Uint8Array(schema.toBER());

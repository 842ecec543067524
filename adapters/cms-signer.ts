import { Signer } from '@signpdf/utils';
import forge from 'node-forge';
import { OID, buildSignedData } from './cms-signed-data.js';
import type { TimestampAuthority } from './timestamp.js';

/**
 * Signs a DigestInfo with RSA PKCS#1 v1.5 and returns the signature: exactly PKCS#11's CKM_RSA_PKCS, so a hardware
 * security module can sit behind this function.
 */
export type SignDigestInfo = (digestInfo: Buffer) => Buffer;

/**
 * Builds the detached CMS that @signpdf embeds in the PDF as a PAdES baseline signature: B-B (ESS
 * signing-certificate-v2, no signing-time attribute), and B-T when a timestamp authority is configured.
 */
export class CmsSigner extends Signer {
  /** DER of the certificate and its chain, encoded once: forge's encoder costs more than the signature. */
  private readonly der: { certificate: Buffer; chain: Buffer[] };

  constructor(
    private readonly o: {
      certificate: forge.pki.Certificate;
      chain: forge.pki.Certificate[];
      signDigestInfo: SignDigestInfo;
      timestamps?: TimestampAuthority;
    },
  ) {
    super();
    this.der = { certificate: toDer(o.certificate), chain: o.chain.map(toDer) };
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const tsa = this.o.timestamps;
    return buildSignedData({
      certificate: this.der.certificate,
      chain: this.der.chain,
      signDigestInfo: this.o.signDigestInfo,
      contentType: OID.data,
      content: pdfBuffer,
      ...(tsa && { unsigned: async (signature: Buffer) => [await tsa.timestampAttribute(signature)] }),
    });
  }
}

const toDer = (c: forge.pki.Certificate): Buffer =>
  Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary');

import { Signer } from '@signpdf/utils';
import forge from 'node-forge';

/** DER prefix of a PKCS#1 DigestInfo for SHA-256; the 32-byte digest follows. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signs a DigestInfo with RSA PKCS#1 v1.5 and returns the signature: exactly PKCS#11's CKM_RSA_PKCS, so a hardware
 * security module can sit behind this function.
 */
export type SignDigestInfo = (digestInfo: Buffer) => Buffer;

/**
 * Builds the detached CMS (PKCS#7) SignedData that @signpdf embeds in the PDF. forge assembles the structure;
 * the private-key operation is delegated, so keys can live in node's crypto or an HSM and never in forge.
 */
export class CmsSigner extends Signer {
  constructor(private readonly o: { certificate: forge.pki.Certificate; chain: forge.pki.Certificate[]; signDigestInfo: SignDigestInfo }) {
    super();
  }

  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    for (const cert of [this.o.certificate, ...this.o.chain]) p7.addCertificate(cert);
    const key = {
      sign: (md: forge.md.MessageDigest) =>
        this.o.signDigestInfo(Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')])).toString('binary'),
    };
    p7.addSigner({
      key: key as unknown as forge.pki.rsa.PrivateKey,
      certificate: this.o.certificate,
      digestAlgorithm: forge.pki.oids['sha256']!,
      // Order matters for EU validators (same as @signpdf's P12Signer); the time comes from the case, never the clock.
      authenticatedAttributes: [
        { type: forge.pki.oids['contentType']!, value: forge.pki.oids['data']! },
        { type: forge.pki.oids['signingTime']!, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids['messageDigest']! },
      ],
    });
    p7.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
  }
}

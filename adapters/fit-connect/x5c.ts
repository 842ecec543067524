import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Why a certificate chain is not trusted. */
export class UntrustedChainError extends Error {}

/**
 * Checks an `x5c` chain (RFC 7515 §4.1.6 / RFC 7517 §4.7: base64 DER, leaf first) against trust anchors: every
 * certificate valid at `at`, each signed by the next (a CA certificate), the last one an anchor or issued by one (a CA).
 * Returns the leaf. Revocation (CRL/OCSP) is not checked.
 */
export function verifyX5c(x5c: unknown, anchors: readonly X509Certificate[], at = new Date()): X509Certificate {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.some((c) => typeof c !== 'string'))
    throw new UntrustedChainError('x5c is missing or no list of certificates');
  if (anchors.length === 0) throw new UntrustedChainError('no trust anchors are configured');
  let chain: X509Certificate[];
  try {
    chain = (x5c as string[]).map((c) => new X509Certificate(Buffer.from(c, 'base64')));
  } catch {
    throw new UntrustedChainError('x5c holds a certificate that cannot be read');
  }
  for (const [i, cert] of chain.entries()) {
    if (new Date(cert.validFrom) > at || new Date(cert.validTo) < at)
      throw new UntrustedChainError(`certificate ${i} of x5c is not valid at ${at.toISOString()}`);
    const next = chain[i + 1];
    if (i > 0 && !cert.ca) throw new UntrustedChainError(`certificate ${i} of x5c issues others but is no CA`);
    if (next && !(cert.checkIssued(next) && cert.verify(next.publicKey)))
      throw new UntrustedChainError(`certificate ${i} of x5c is not signed by certificate ${i + 1}`);
  }
  const top = chain[chain.length - 1]!;
  const anchored = anchors.some(
    (a) =>
      (a.fingerprint256 === top.fingerprint256 ||
        (a.ca && top.checkIssued(a) && top.verify(a.publicKey) && new Date(a.validTo) >= at)) &&
      new Date(a.validFrom) <= at,
  );
  if (!anchored) throw new UntrustedChainError('the x5c chain ends at no configured trust anchor');
  return chain[0]!;
}

/** Reads PEM certificates (one file, any number of certificates) as trust anchors; says which file is wrong. */
export async function readTrustAnchors(file: string, variable: string): Promise<X509Certificate[]> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${variable}: ${file} holds no PEM certificate`);
  return blocks.map((b) => new X509Certificate(b));
}

/** The base64 DER of a certificate, as `x5c` carries it. */
export const x5cOf = (cert: X509Certificate): string => cert.raw.toString('base64');

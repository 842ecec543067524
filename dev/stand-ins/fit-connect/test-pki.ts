import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { CompactSign, type JWK } from 'jose';
import forge from 'node-forge';

/**
 * STAND-IN: a test PKI for FIT-Connect, made with node-forge (already a dependency for the seal's test keys): one root
 * CA that issues the eID service's report signing certificate and the destination's key certificates, so identification
 * reports and the destination's JWKs carry `x5c` chains the receiver checks against the CA as its trust anchor.
 * Development and tests only; a real destination's certificates come from the administration PKI (V-PKI).
 */
export interface TestCa {
  certificatePem: string;
  /** base64 DER, as `x5c` carries it. */
  certificateDer: string;
  key: forge.pki.rsa.PrivateKey;
  name: string;
}

const DAY = 86_400_000;

function serial(): string {
  // A positive serial number (first bit clear), 16 bytes.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

const derOf = (cert: forge.pki.Certificate) =>
  Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary').toString('base64');

export function createTestCa(name = 'FIT-Connect Test-CA (nur Entwicklung)'): TestCa {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const pub = forge.pki.setRsaPublicKey(key.n, key.e);
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY);
  const attrs = [{ name: 'commonName', value: name }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), certificateDer: derOf(cert), key, name };
}

/** A leaf certificate for a public key (a node KeyObject or an RSA JWK), issued by the test CA; returns its base64 DER. */
export function issueCertificate(
  ca: TestCa,
  o: { commonName: string; publicKey: KeyObject | JWK; validFrom?: Date; validTo?: Date },
): string {
  const keyObject: KeyObject =
    'kty' in o.publicKey
      ? createPublicKey({ key: o.publicKey as import('node:crypto').JsonWebKey, format: 'jwk' })
      : (o.publicKey as KeyObject);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keyObject.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = serial();
  cert.validity.notBefore = o.validFrom ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = o.validTo ?? new Date(Date.now() + 365 * DAY);
  cert.setSubject([{ name: 'commonName', value: o.commonName }]);
  cert.setIssuer([{ name: 'commonName', value: ca.name }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return derOf(cert);
}

/** The destination's public JWK with its certificate chain (`x5c`: leaf, then the CA). */
export function withX5c(ca: TestCa, jwk: JWK, commonName: string): JWK {
  return { ...jwk, x5c: [issueCertificate(ca, { commonName, publicKey: publicPartOf(jwk) }), ca.certificateDer] };
}

const publicPartOf = (jwk: JWK): JWK => ({ kty: jwk.kty, n: jwk.n, e: jwk.e });

/** The person an identification report attests (Governikus identification report 2.0.0, `subjectRef`). */
export interface ReportSubject {
  restrictedId: string;
  givenName?: string;
  familyName?: string;
}

/**
 * STAND-IN for an eID service (e.g. a BundID/eID server) that issues signed identification reports: a compact JWS
 * (PS256) with `x5c`, payload after https://github.com/Governikus/IdentificationReport (schema 2.0.0).
 */
export class TestEidService {
  private readonly privateKey: KeyObject;
  private readonly chain: string[];

  constructor(
    ca: TestCa,
    readonly serverIdentity = 'https://eid.stand-in.example/gov_autent/async',
    o: { validTo?: Date } = {},
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    this.chain = [
      issueCertificate(ca, {
        commonName: 'eID-Dienst (Stand-in)',
        publicKey,
        ...(o.validTo && { validTo: o.validTo }),
      }),
      ca.certificateDer,
    ];
  }

  /** One report: `levelOfAssurance` as the eIDAS URI, success unless said otherwise. */
  report(
    subject: ReportSubject,
    o: { levelOfAssurance?: string; idStatus?: string; identificationTime?: Date } = {},
  ): Promise<string> {
    const now = new Date();
    const payload = {
      reportId: crypto.randomUUID(),
      serverIdentity: this.serverIdentity,
      reportTime: now.toISOString(),
      identificationTime: (o.identificationTime ?? now).toISOString(),
      idStatus: o.idStatus ?? 'success',
      trustFramework: 'eid',
      levelOfAssurance: o.levelOfAssurance ?? 'http://eidas.europa.eu/LoA/substantial',
      subjectRefType:
        'https://raw.githubusercontent.com/Governikus/IdentificationReport/2.0.0/schema/eid-authentication.json',
      subjectRef: subject,
    };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'PS256', x5c: this.chain })
      .sign(this.privateKey);
  }
}

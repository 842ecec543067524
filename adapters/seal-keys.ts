import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Signer } from '@signpdf/utils';
import forge from 'node-forge';
import { CmsSigner } from './cms-signer.js';
import type { TimestampAuthority } from './timestamp.js';

/** The authority's seal key as the sealer sees it: a CMS signer and the certificate it signs with. */
export interface SealKey {
  /** A @signpdf Signer; `CmsSigner` with a PKCS#11 `signDigestInfo` puts the key in a hardware security module. */
  signer: Signer;
  /** Subject common name of the seal certificate, printed in the visible seal mark. */
  holder: string;
  /** SHA-256 fingerprint of the seal certificate (DER), hex. */
  fingerprint: string;
  /** SHA-256 of the public key (SPKI), hex: two authorities must never share one. */
  publicKeySha256?: string;
}

export interface SealKeyStore {
  keyFor(authorityId: string): Promise<SealKey>;
  /** Certificates a verifier trusts as roots for seals of this engine, PEM. */
  trustAnchors(): Promise<string[]>;
}

/** Production: one authority seal from a configured PKCS#12 file and the CA certificates that verify it. */
export class Pkcs12SealKeyStore implements SealKeyStore {
  constructor(
    private readonly o: {
      p12File: string;
      passphrase: string;
      trustAnchorsFile: string;
      timestamps?: TimestampAuthority;
    },
  ) {}

  private key?: Promise<SealKey>;

  /** Read and decrypted once: forge's PKCS#12 decryption (key derivation in JavaScript) cost more than a whole seal. */
  keyFor(): Promise<SealKey> {
    this.key ??= readFile(this.o.p12File)
      .then((p12) => sealKeyFromP12(p12, this.o.passphrase, this.o.timestamps))
      .catch((err: unknown) => {
        this.key = undefined; // a file not there yet is read again next time
        throw err;
      });
    return this.key;
  }

  async trustAnchors(): Promise<string[]> {
    return splitPem(await readFile(this.o.trustAnchorsFile, 'utf8'));
  }
}

/** Production: one PKCS#12 file per authority, `<sealIdentity>.p12` in one folder, so no authority seals with another's key. */
export class Pkcs12DirectorySealKeyStore implements SealKeyStore {
  private readonly keys = new Map<string, Promise<SealKey>>();
  constructor(
    private readonly o: { dir: string; passphrase: string; trustAnchorsFile: string; timestamps?: TimestampAuthority },
  ) {}

  keyFor(sealIdentity: string): Promise<SealKey> {
    if (!/^[a-z0-9-]+$/.test(sealIdentity)) return Promise.reject(new Error(`invalid seal identity: ${sealIdentity}`));
    let key = this.keys.get(sealIdentity);
    if (!key) {
      key = readFile(join(this.o.dir, `${sealIdentity}.p12`)).then((p12) =>
        sealKeyFromP12(p12, this.o.passphrase, this.o.timestamps),
      );
      this.keys.set(sealIdentity, key);
    }
    return key;
  }

  async trustAnchors(): Promise<string[]> {
    return splitPem(await readFile(this.o.trustAnchorsFile, 'utf8'));
  }
}

type SealSettings = {
  seal?: { p12File: string; passphrase: string; trustAnchorsFile: string };
  sealDir?: { dir: string; passphrase: string; trustAnchorsFile: string };
};

/** The configured seal keys (SEAL_DIR per authority, else the single SEAL_P12_FILE); undefined when none are configured. */
export function configuredSealKeyStore(
  config: SealSettings,
  timestamps?: TimestampAuthority,
): SealKeyStore | undefined {
  if (config.sealDir) return new Pkcs12DirectorySealKeyStore({ ...config.sealDir, timestamps });
  return config.seal ? new Pkcs12SealKeyStore({ ...config.seal, timestamps }) : undefined;
}

/** With a timestamp authority the seal is PAdES B-T, without one B-B. */
export function sealKeyFromP12(p12: Buffer, passphrase: string, timestamps?: TimestampAuthority): SealKey {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), passphrase);
  const keyBag = forge.pki.oids['pkcs8ShroudedKeyBag']!;
  const certBag = forge.pki.oids['certBag']!;
  const key = parsed.getBags({ bagType: keyBag })[keyBag]?.[0]?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error('the PKCS#12 file holds no private key');
  const certs = (parsed.getBags({ bagType: certBag })[certBag] ?? []).flatMap((b) => (b.cert ? [b.cert] : []));
  const cert = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n.equals(key.n));
  if (!cert) throw new Error('the PKCS#12 file holds no certificate for its private key');
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  // The key leaves forge for node's crypto: native RSA is fast, forge's pure-JS RSA costs a second per seal.
  const nodeKey = createPrivateKey(forge.pki.privateKeyToPem(key));
  return {
    signer: new CmsSigner({
      certificate: cert,
      chain: certs.filter((c) => c !== cert),
      signDigestInfo: (digestInfo) =>
        privateEncrypt({ key: nodeKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo),
      timestamps,
    }),
    holder: String(cert.subject.getField('CN')?.value ?? 'unbekannt'),
    fingerprint: forge.md.sha256.create().update(der).digest().toHex(),
    publicKeySha256: forge.md.sha256
      .create()
      .update(forge.asn1.toDer(forge.pki.publicKeyToAsn1(cert.publicKey)).getBytes())
      .digest()
      .toHex(),
  };
}

export const splitPem = (pem: string): string[] =>
  pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

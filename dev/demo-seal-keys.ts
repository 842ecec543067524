import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import forge from 'node-forge';
import {
  configuredSealKeyStore,
  sealKeyFromP12,
  splitPem,
  type SealKey,
  type SealKeyStore,
} from '../adapters/seal-keys.js';
import type { TimestampAuthority } from '../adapters/timestamp.js';

/** The demo seals' passphrase: they protect nothing real. */
export const DEMO_SEAL_PASSPHRASE = 'demo-seal';

/**
 * Demo and tests: a local demo CA and one seal certificate per authority, generated on first use into a folder
 * that is never committed. Verifiers trust only this CA.
 */
export class DemoSealKeyStore implements SealKeyStore {
  private ca?: Promise<{ cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }>;
  private readonly keys = new Map<string, Promise<SealKey>>();

  constructor(
    private readonly dir: string,
    private readonly passphrase = DEMO_SEAL_PASSPHRASE,
    private readonly timestamps?: TimestampAuthority,
  ) {}

  keyFor(authorityId: string): Promise<SealKey> {
    if (!/^[a-z0-9-]+$/.test(authorityId)) return Promise.reject(new Error(`invalid authority id: ${authorityId}`));
    let key = this.keys.get(authorityId);
    if (!key) {
      key = this.loadOrCreateSeal(authorityId);
      this.keys.set(authorityId, key);
    }
    return key;
  }

  async trustAnchors(): Promise<string[]> {
    return [forge.pki.certificateToPem((await this.demoCa()).cert)];
  }

  private demoCa() {
    // One private file holds the CA's key and certificate, so concurrent first uses agree on one CA.
    this.ca ??= readOrCreate(join(this.dir, 'demo-ca.pem'), () => {
      const key = rsaKeyPair();
      const cert = certificate({
        subjectCn: 'OZG Case Engine Demo CA (nicht für den Echtbetrieb)',
        publicKey: key.publicKey,
        serial: '01',
        ca: true,
      });
      cert.setIssuer(cert.subject.attributes);
      cert.sign(key.privateKey, forge.md.sha256.create());
      return Buffer.from(forge.pki.privateKeyToPem(key.privateKey) + forge.pki.certificateToPem(cert));
    }).then((pem) => ({
      cert: forge.pki.certificateFromPem(splitPem(pem.toString('utf8'))[0]!),
      key: forge.pki.privateKeyFromPem(pem.toString('utf8')) as forge.pki.rsa.PrivateKey,
    }));
    return this.ca;
  }

  private async loadOrCreateSeal(authorityId: string): Promise<SealKey> {
    const file = join(this.dir, `${authorityId}.p12`);
    const ca = await this.demoCa();
    const p12 = await readOrCreate(file, () => {
      const key = rsaKeyPair();
      const cert = certificate({
        subjectCn: `Siegel ${authorityId} (Demo)`,
        publicKey: key.publicKey,
        serial: '02',
        ca: false,
      });
      cert.setIssuer(ca.cert.subject.attributes);
      cert.sign(ca.key, forge.md.sha256.create());
      const asn1 = forge.pkcs12.toPkcs12Asn1(key.privateKey, [cert, ca.cert], this.passphrase, { algorithm: 'aes256' });
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    });
    return sealKeyFromP12(p12, this.passphrase, this.timestamps);
  }
}

// Node's native RSA key generation is fast; forge's pure-JS one takes seconds.
function rsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 3072,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKey: forge.pki.privateKeyFromPem(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

function certificate(o: { subjectCn: string; publicKey: forge.pki.PublicKey; serial: string; ca: boolean }) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = o.publicKey;
  cert.serialNumber = o.serial;
  cert.validity.notBefore = new Date(Date.UTC(2020, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2045, 0, 1));
  cert.setSubject([
    { name: 'countryName', value: 'DE' },
    { name: 'organizationName', value: 'OZG Case Engine Demo' },
    { name: 'commonName', value: o.subjectCn },
  ]);
  cert.setExtensions(
    o.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        ],
  );
  return cert;
}

/** Reads the file, or creates it atomically: a concurrent creator (another test process) loses and reads the winner's. */
async function readOrCreate(file: string, create: () => Buffer): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, create(), { mode: 0o600 });
  await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  await unlink(tmp);
  return readFile(file);
}

/** The configured seals, else the demo CA under the data folder (demo and tests only). */
export const sealKeyStore = (
  config: Parameters<typeof configuredSealKeyStore>[0] & { dataDir: string },
  timestamps?: TimestampAuthority,
): SealKeyStore =>
  configuredSealKeyStore(config, timestamps) ??
  new DemoSealKeyStore(join(config.dataDir, 'seal'), undefined, timestamps);

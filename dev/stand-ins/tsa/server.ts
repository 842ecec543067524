import { constants, createPrivateKey, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import * as pkijs from 'pkijs';
import { OID, buildSignedData } from '../../../adapters/cms-signed-data.js';

/** A stand-in RFC 3161 timestamp authority for demo and tests: a throwaway key and a self-signed TSA certificate. */
export interface TsaSandbox {
  url: string;
  /** The TSA certificate (PEM), for verifiers that check timestamp tokens. */
  certificatePem: string;
  stop(): Promise<void>;
}

const DEMO_POLICY = '1.3.6.1.4.1.99999.1.1';

export async function startTsaSandbox(o: { host: string; port: number }): Promise<TsaSandbox> {
  const { cert, sign } = tsaIdentity();
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  let serial = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
          res.writeHead(415).end();
          return;
        }
        let request: pkijs.TimeStampReq;
        try {
          request = pkijs.TimeStampReq.fromBER(Buffer.concat(chunks));
        } catch {
          res.writeHead(400).end();
          return;
        }
        const info = new pkijs.TSTInfo({
          version: 1,
          policy: DEMO_POLICY,
          messageImprint: request.messageImprint,
          serialNumber: new asn1js.Integer({ value: ++serial }),
          genTime: new Date(Math.floor(Date.now() / 1000) * 1000),
          ...(request.nonce && { nonce: request.nonce }),
        });
        const token = await buildSignedData({
          certificate: certDer,
          chain: [],
          signDigestInfo: sign,
          contentType: OID.tstInfo,
          content: new Uint8Array(info.toSchema().toBER()),
          embed: true,
        });
        const response = new pkijs.TimeStampResp({
          status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
          timeStampToken: new pkijs.ContentInfo({ schema: asn1js.fromBER(token).result }),
        });
        res
          .writeHead(200, { 'content-type': 'application/timestamp-reply' })
          .end(Buffer.from(response.toSchema().toBER()));
      })().catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return {
    url: `http://${o.host}:${port}/tsa`,
    certificatePem: forge.pki.certificateToPem(cert),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function tsaIdentity() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const name = [{ name: 'commonName', value: 'OZG Case Engine Demo TSA (nicht für den Echtbetrieb)' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  // RFC 3161 2.3: a TSA certificate carries exactly the critical timeStamping extended key usage.
  cert.setExtensions([
    { name: 'extKeyUsage', critical: true, timeStamping: true },
    { name: 'keyUsage', digitalSignature: true },
  ]);
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  cert.sign(forgeKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const nodeKey = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return {
    cert,
    sign: (digestInfo: Buffer) => privateEncrypt({ key: nodeKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo),
  };
}

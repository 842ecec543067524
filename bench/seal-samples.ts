// Writes a sealed sample Bescheid as PAdES B-B and B-T (timestamp from the TSA stand-in), with the trust anchors, into
// a folder, for an independent validator: `npx tsx bench/seal-samples.ts .data/seal-samples`, then
// `pyhanko sign validate --pretty-print --trust demo-ca.pem --trust tsa.pem pades-b-t.pdf` there (docs/contributors.md).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderBescheidPdf } from '../adapters/documents/bescheid-pdf.js';
import { PdfSealer } from '../adapters/sealer.js';
import { HttpTimestampAuthority } from '../adapters/timestamp.js';
import { DemoSealKeyStore } from '../dev/demo-seal-keys.js';
import { startTsaSandbox } from '../dev/stand-ins/tsa/server.js';
import { sampleBescheid } from './sample-bescheid.js';

const dir = resolve(process.argv[2] ?? '.data/seal-samples');
await mkdir(dir, { recursive: true });
const tsa = await startTsaSandbox({ host: '127.0.0.1', port: 0 });
try {
  for (const [name, timestamps] of [
    ['pades-b-b', undefined],
    ['pades-b-t', new HttpTimestampAuthority(tsa.url)],
  ] as const) {
    const keys = new DemoSealKeyStore(join(dir, 'keys'), undefined, timestamps);
    const sealed = await new PdfSealer(keys).seal({
      authorityId: 'stadt-musterstadt',
      authorityName: 'Stadt Musterstadt, Straßenverkehrsbehörde',
      pdf: await renderBescheidPdf(sampleBescheid(1)),
      signingTime: new Date(),
      verificationUrl: 'https://musterstadt.example/verify/0123456789abcdef0123456789abcdef',
    });
    await writeFile(join(dir, `${name}.pdf`), sealed.pdf);
    await writeFile(join(dir, 'demo-ca.pem'), (await keys.trustAnchors()).join('\n'));
  }
  await writeFile(join(dir, 'tsa.pem'), tsa.certificatePem);
  console.log(`sealed samples and trust anchors in ${dir}`);
} finally {
  await tsa.stop();
}

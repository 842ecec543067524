// CPU per Bescheid of the real work behind `issueBescheid`: render (pdfkit, tagged PDF/A-2a) and seal (PAdES), the
// engine's sealer against the reference sealer it replaced (pdf-lib load and save) in the same run, so the ratio holds on
// a noisy machine. `npx tsx bench/bescheid-cost.ts [--runs 200]`. Prints, asserts nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderBescheidPdf } from '../adapters/documents/bescheid-pdf.js';
import { PdfSealer, type Sealer } from '../adapters/sealer.js';
import { DemoSealKeyStore } from '../dev/demo-seal-keys.js';
import { percentile } from '../dev/demo/stats.js';
import { PdfLibSealer } from './reference/pdf-lib-sealer.js';
import { sampleBescheid } from './sample-bescheid.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' } } });
const RUNS = Number(values.runs);

/** CPU (user + system) of each call, in ms. */
async function cpuOf<T>(n: number, f: (i: number) => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last!: T;
  for (let i = 0; i < n; i++) {
    const before = process.cpuUsage();
    last = await f(i);
    const used = process.cpuUsage(before);
    ms.push((used.user + used.system) / 1000);
  }
  return { ms, last };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'bescheid-cost-'));
  try {
    const keys = new DemoSealKeyStore(dir);
    await keys.keyFor('stadt-musterstadt');
    const sealers: Array<[string, Sealer]> = [
      ['before (pdf-lib load and save)', new PdfLibSealer(keys)],
      ['after (incremental update)', new PdfSealer(keys)],
    ];
    const pdfs = await Promise.all(Array.from({ length: 20 }, (_, i) => renderBescheidPdf(sampleBescheid(i))));
    const seal = (s: Sealer, i: number) =>
      s.seal({
        authorityId: 'stadt-musterstadt',
        authorityName: 'Stadt Musterstadt, Straßenverkehrsbehörde',
        pdf: pdfs[i % pdfs.length]!,
        signingTime: new Date('2026-11-05T10:00:00.000Z'),
        verificationUrl: `https://musterstadt.example/verify/${String(i).padStart(32, '0')}`,
      });
    // Warm-up: JIT, fonts, keys.
    for (const [, s] of sealers) await cpuOf(20, (i) => seal(s, i));
    await cpuOf(20, (i) => renderBescheidPdf(sampleBescheid(i)));
    const render = await cpuOf(RUNS, (i) => renderBescheidPdf(sampleBescheid(i)));
    const rows: Array<[string, number[], number]> = [['render', render.ms, render.last.byteLength]];
    // Interleaved in rounds, so a noisy neighbour hits both alike.
    const results = sealers.map(() => [] as number[]);
    const bytes = sealers.map(() => 0);
    for (let round = 0; round < 10; round++) {
      for (const [k, [, s]] of sealers.entries()) {
        const r = await cpuOf(Math.ceil(RUNS / 10), (i) => seal(s, i + round));
        results[k]!.push(...r.ms);
        bytes[k] = r.last.pdf.byteLength;
      }
    }
    for (const [k, [name]] of sealers.entries()) rows.push([`seal ${name}`, results[k]!, bytes[k]!]);
    console.log(`${RUNS} Bescheide, CPU per Bescheid (user + system, this process):`);
    for (const [name, ms, size] of rows)
      console.log(
        `${name.padEnd(42)} p50 ${percentile(ms, 50).toFixed(2).padStart(7)} ms  p95 ${percentile(ms, 95).toFixed(2).padStart(7)} ms  ${(size / 1024).toFixed(0)} KiB`,
      );
    const p50 = (ms: number[]) => percentile(ms, 50);
    console.log(
      `render + seal p50: before ${(p50(render.ms) + p50(results[0]!)).toFixed(2)} ms, after ${(p50(render.ms) + p50(results[1]!)).toFixed(2)} ms (seal ratio after/before ${(p50(results[1]!) / p50(results[0]!)).toFixed(2)})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { unzipSync } from 'fflate';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_0503, XDOMEA_NS } from '../adapters/xdomea.js';
import { sha256Hex } from '../adapters/document-store.js';
import type { CaseResult } from '../workflows/contracts/case.js';
import { testDeps, withWorker } from './harness.js';
import { applicationOf } from './samples.js';

type Node = Record<string, unknown>;
const many = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('the archive package as an xdomea 0503 message', () => {
  let result: CaseResult;
  let zip: Record<string, Uint8Array>;
  let zipName: string;

  beforeAll(async () => {
    await withWorker(async ({ cases }) => {
      const { caseId } = await cases.submit(applicationOf('resident', 9));
      result = await cases.result(caseId);
    });
    const { archive } = testDeps();
    const manifest = await archive.read(result.archive.packageSha256);
    zipName = manifest.xdomea!.Datei;
    zip = unzipSync(new Uint8Array(await archive.readFile(manifest.xdomea!.SHA256)));
  });

  it('is a ZIP named <ProzessID>_Aussonderung.Aussonderung.0503.zip with the XML under the same base name and UUID-named primaries', () => {
    expect(zipName).toMatch(
      new RegExp(
        `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}_${MESSAGE_0503.replaceAll('.', '\\.')}\\.zip$`,
      ),
    );
    const base = zipName.replace(/\.zip$/, '');
    const names = Object.keys(zip);
    expect(names).toContain(`${base}.xml`);
    for (const n of names.filter((x) => x !== `${base}.xml`)) expect(n).toMatch(/^[0-9a-f-]{36}\.(pdf|json|png|jpg)$/);
  });

  it('uses the xdomea namespace with the xdomea prefix, Kopf with ProzessID and Nachrichtentyp 0503, and one Dokument per primary file', async () => {
    const base = zipName.replace(/\.zip$/, '');
    const xml = Buffer.from(zip[`${base}.xml`]!).toString('utf8');
    expect(xml).toContain(`<xdomea:${MESSAGE_0503} xmlns:xdomea="${XDOMEA_NS}">`);
    const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(xml) as Node;
    const root = doc[`xdomea:${MESSAGE_0503}`] as Node;
    const kopf = root['xdomea:Kopf'] as Node;
    expect(kopf['xdomea:ProzessID']).toBe(base.split('_')[0]);
    expect((kopf['xdomea:Nachrichtentyp'] as Node)['code']).toBe('0503');
    const vorgang = (root['xdomea:Schriftgutobjekt'] as Node)['xdomea:Vorgang'] as Node;
    expect((vorgang['xdomea:AllgemeineMetadaten'] as Node)['xdomea:Kennzeichen']).toMatch(/^32\.1-BPA\/\d{4}\/\d{5}$/);
    const dokumente = many(vorgang['xdomea:Dokument'] as Node | Node[]);
    const primaries = dokumente.map(
      (d) =>
        (((d['xdomea:Version'] as Node)['xdomea:Format'] as Node)['xdomea:Primaerdokument'] as Node)[
          'xdomea:Dateiname'
        ] as string,
    );
    expect(primaries.sort()).toEqual(
      Object.keys(zip)
        .filter((n) => !n.endsWith('.xml'))
        .sort(),
    );
    // The sealed Bescheid travels byte for byte.
    const bescheid = dokumente.find((d) => (d['xdomea:AllgemeineMetadaten'] as Node)['xdomea:Betreff'] === 'Bescheid')!;
    const file = (((bescheid['xdomea:Version'] as Node)['xdomea:Format'] as Node)['xdomea:Primaerdokument'] as Node)[
      'xdomea:Dateiname'
    ] as string;
    expect(sha256Hex(zip[file]!)).toBe(result.bescheid.document.sha256);
  });

  it('verify-archive checks the ZIP too', async () => {
    expect(await testDeps().archive.verify(result.archive.packageSha256)).toMatchObject({ valid: true });
  });
});

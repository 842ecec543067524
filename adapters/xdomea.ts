import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';

const COMPRESSED = /\.(pdf|png|jpe?g)$/i;

export const XDOMEA_NS = 'urn:xoev-de:xdomea:schema:3.0.0';
export const MESSAGE_0503 = 'Aussonderung.Aussonderung.0503';

export interface XdomeaDocument {
  /** Document type shown as the Betreff, e.g. Bescheid, Nachweis. */
  subject: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface Xdomea0503Input {
  caseId: string;
  authorityId: string;
  authorityName: string;
  serviceName: string;
  fileReference: string;
  openedAt: string;
  closedAt: string;
  retentionUntil: string;
  documents: XdomeaDocument[];
}

export interface Xdomea0503 {
  processId: string;
  /** `<ProzessID>_Aussonderung.Aussonderung.0503.zip`, holding the XML under the same base name and `<UUID>.<ext>` primaries. */
  zipName: string;
  xmlName: string;
  xml: string;
  zip: Uint8Array;
}

const formatOf: Record<string, { ext: string; code: string }> = {
  'application/pdf': { ext: 'pdf', code: 'pdf' },
  'application/json': { ext: 'json', code: 'json' },
  'image/png': { ext: 'png', code: 'png' },
  'image/jpeg': { ext: 'jpg', code: 'jpg' },
};

/**
 * An xdomea 3.0.0 Aussonderung (0503) message for one closed case: Kopf, one Vorgang with its Dokumente, the primary
 * files in a ZIP named as the standard names them. Ids derive from the case, so the same case gives the same bytes.
 */
export function buildXdomea0503(i: Xdomea0503Input): Xdomea0503 {
  const processId = uuidOf(`xdomea:${i.caseId}`);
  const base = `${processId}_${MESSAGE_0503}`;
  const files: Record<string, Uint8Array> = {};
  const docs = i.documents.map((d, n) => {
    const id = uuidOf(`xdomea:${i.caseId}:${n}:${sha256(d.bytes)}`);
    const format = formatOf[d.mediaType.split(';')[0]!.trim()] ?? { ext: 'bin', code: 'bin' };
    const fileName = `${id}.${format.ext}`;
    files[fileName] = d.bytes;
    return `
      <xdomea:Dokument>
        <xdomea:Identifikation><xdomea:ID>${id}</xdomea:ID></xdomea:Identifikation>
        <xdomea:AllgemeineMetadaten><xdomea:Betreff>${esc(d.subject)}</xdomea:Betreff></xdomea:AllgemeineMetadaten>
        <xdomea:Version>
          <xdomea:Nummer>1</xdomea:Nummer>
          <xdomea:Format>
            <xdomea:Name><code>${format.code}</code></xdomea:Name>
            <xdomea:Version>1</xdomea:Version>
            <xdomea:Primaerdokument><xdomea:Dateiname>${fileName}</xdomea:Dateiname><xdomea:DateinameOriginal>${esc(d.subject)}.${format.ext}</xdomea:DateinameOriginal></xdomea:Primaerdokument>
          </xdomea:Format>
        </xdomea:Version>
      </xdomea:Dokument>`;
  });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<xdomea:${MESSAGE_0503} xmlns:xdomea="${XDOMEA_NS}">
  <xdomea:Kopf>
    <xdomea:ProzessID>${processId}</xdomea:ProzessID>
    <xdomea:Nachrichtentyp listURI="urn:xoev-de:xdomea:codeliste:nachrichtentyp" listVersionID="2.0"><code>0503</code></xdomea:Nachrichtentyp>
    <xdomea:Erstellungszeitpunkt>${i.closedAt}</xdomea:Erstellungszeitpunkt>
    <xdomea:Absender>
      <xdomea:Behoerdenkennung><xdomea:Kennung><code>${esc(i.authorityId)}</code></xdomea:Kennung></xdomea:Behoerdenkennung>
      <xdomea:Organisationseinheit><xdomea:Name>${esc(i.authorityName)}</xdomea:Name></xdomea:Organisationseinheit>
    </xdomea:Absender>
    <xdomea:Empfaenger>
      <xdomea:Behoerdenkennung><xdomea:Kennung><code>archiv</code></xdomea:Kennung></xdomea:Behoerdenkennung>
    </xdomea:Empfaenger>
    <xdomea:SendendesSystem><xdomea:Produktname>ozg-case-engine</xdomea:Produktname></xdomea:SendendesSystem>
    <xdomea:Importbestaetigung>true</xdomea:Importbestaetigung>
    <xdomea:Empfangsbestaetigung>false</xdomea:Empfangsbestaetigung>
  </xdomea:Kopf>
  <xdomea:Schriftgutobjekt>
    <xdomea:Vorgang>
      <xdomea:Identifikation><xdomea:ID>${uuidOf(`xdomea:vorgang:${i.caseId}`)}</xdomea:ID></xdomea:Identifikation>
      <xdomea:AllgemeineMetadaten>
        <xdomea:Betreff>${esc(i.serviceName)}</xdomea:Betreff>
        <xdomea:Kennzeichen>${esc(i.fileReference)}</xdomea:Kennzeichen>
      </xdomea:AllgemeineMetadaten>
      <xdomea:Archivbewertung><xdomea:Aufbewahrungsdauer>${i.retentionUntil}</xdomea:Aufbewahrungsdauer></xdomea:Archivbewertung>
      <xdomea:Laufzeit><xdomea:Beginn>${i.openedAt.slice(0, 10)}</xdomea:Beginn><xdomea:Ende>${i.closedAt.slice(0, 10)}</xdomea:Ende></xdomea:Laufzeit>${docs.join('')}
    </xdomea:Vorgang>
  </xdomea:Schriftgutobjekt>
</xdomea:${MESSAGE_0503}>
`;
  const xmlName = `${base}.xml`;
  // A fixed timestamp for every entry keeps the ZIP reproducible.
  const mtime = new Date('2000-01-01T00:00:00Z');
  // PDFs and images are compressed already: stored as they are, which costs no CPU and hardly any bytes.
  const entries = Object.fromEntries(
    [[xmlName, Buffer.from(xml, 'utf8')] as const, ...Object.entries(files)].map(([n, b]) => [
      n,
      [b, { mtime, level: COMPRESSED.test(n) ? 0 : 6 }] as [Uint8Array, { mtime: Date; level: 0 | 6 }],
    ]),
  );
  return { processId, zipName: `${base}.zip`, xmlName, xml, zip: zipSync(entries) };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A name-based UUID (version 5 layout over SHA-256), stable for the same name. */
function uuidOf(name: string): string {
  const h = sha256(Buffer.from(name));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

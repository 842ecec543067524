import { PDFArray, PDFContext, PDFDict, PDFName, PDFNumber, PDFObject, PDFObjectParser, PDFRef } from 'pdf-lib';

/**
 * An incremental update of a PDF (ISO 32000-1, 7.5.6): the original bytes stay as they are and the objects changed
 * or added are appended with their own cross-reference section. Only the objects the caller reads are parsed, with
 * pdf-lib's object parser; nothing else of the document is loaded or written again. Reads a classic cross-reference
 * table of a single revision (as pdfkit writes it); `null` for a PDF with cross-reference streams or earlier updates.
 */
export class PdfIncrement {
  readonly context = PDFContext.create();
  private readonly offsets = new Map<number, number>();
  private readonly changed = new Set<number>();
  private readonly firstNew: number;
  readonly trailer: PDFDict;

  private constructor(
    private readonly pdf: Uint8Array,
    private readonly text: string,
    private readonly startXref: number,
  ) {
    let at = startXref + 'xref'.length;
    const subsection = /\s*(\d+) (\d+)\s*\r?\n/y;
    for (;;) {
      subsection.lastIndex = at;
      const m = subsection.exec(text);
      if (!m) break;
      const first = Number(m[1]);
      const count = Number(m[2]);
      at = subsection.lastIndex;
      for (let i = 0; i < count; i++, at += 20) {
        if (text[at + 17] === 'n') this.offsets.set(first + i, Number(text.slice(at, at + 10)));
      }
    }
    const trailerAt = text.indexOf('trailer', at);
    if (trailerAt < 0) throw new Error('PDF has no trailer after its cross-reference table');
    this.trailer = PDFObjectParser.forBytes(
      pdf.subarray(trailerAt + 'trailer'.length),
      this.context,
    ).parseObject() as PDFDict;
    this.firstNew = this.trailer.lookup(PDFName.of('Size'), PDFNumber).asNumber();
    this.context.largestObjectNumber = this.firstNew - 1;
  }

  /** The update of a single-revision PDF with a cross-reference table; `null` for any other. */
  static of(pdf: Uint8Array): PdfIncrement | null {
    const tail = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString(
      'latin1',
      Math.max(0, pdf.byteLength - 64),
    );
    const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!m) throw new Error('PDF has no startxref');
    const startXref = Number(m[1]);
    const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
    if (!text.startsWith('xref', startXref)) return null;
    const u = new PdfIncrement(pdf, text, startXref);
    // Only the last revision's table is read: a PDF updated before is rewritten first, like one with streams.
    return u.trailer.get(PDFName.of('Prev')) ? null : u;
  }

  /** The object behind a reference (parsed on first use), or a direct object as it is. */
  resolve<T extends PDFObject>(o: PDFObject | undefined, type: { prototype: T; name: string }): T {
    const obj = o instanceof PDFRef ? this.get(o) : o;
    if (!(obj instanceof (type as unknown as typeof PDFObject)))
      throw new Error(`PDF object ${String(o)} is not a ${type.name}`);
    return obj as T;
  }

  resolveMaybe<T extends PDFObject>(o: PDFObject | undefined, type: { prototype: T; name: string }): T | undefined {
    const obj = o instanceof PDFRef ? this.get(o) : o;
    return obj instanceof (type as unknown as typeof PDFObject) ? (obj as T) : undefined;
  }

  get(ref: PDFRef): PDFObject {
    const n = ref.objectNumber;
    const known = this.context.lookup(ref);
    if (known) return known;
    const at = this.offsets.get(n);
    if (at === undefined) throw new Error(`PDF object ${n} is not in the cross-reference table`);
    const header = /\s*(\d+)\s+(\d+)\s+obj/y;
    header.lastIndex = at;
    const m = header.exec(this.text);
    if (!m || Number(m[1]) !== n) throw new Error(`PDF object ${n} is not at offset ${at}`);
    const obj = PDFObjectParser.forBytes(this.pdf.subarray(header.lastIndex), this.context).parseObject();
    this.context.assign(ref, obj);
    return obj;
  }

  /** Marks an existing object as changed, so the update writes its new version. */
  touch(ref: PDFRef): void {
    this.get(ref);
    this.changed.add(ref.objectNumber);
  }

  get root(): PDFRef {
    return this.trailer.get(PDFName.of('Root')) as PDFRef;
  }

  /** The page objects in order (page tree walked from the catalog). */
  pages(): PDFRef[] {
    const catalog = this.resolve(this.root, PDFDict);
    const out: PDFRef[] = [];
    const walk = (ref: PDFRef) => {
      const node = this.resolve(ref, PDFDict);
      const kids = node.get(PDFName.of('Kids'));
      if (!kids) out.push(ref);
      else for (const kid of this.resolve(kids, PDFArray).asArray()) walk(kid as PDFRef);
    };
    walk(catalog.get(PDFName.of('Pages')) as PDFRef);
    return out;
  }

  /** The original bytes followed by the changed and new objects, a cross-reference section and a trailer. */
  bytes(): Buffer {
    const numbers = [...this.changed];
    for (let n = this.firstNew; n <= this.context.largestObjectNumber; n++) numbers.push(n);
    numbers.sort((a, b) => a - b);
    const parts: Uint8Array[] = [this.pdf];
    let offset = this.pdf.byteLength;
    const push = (b: Uint8Array | string) => {
      const bytes = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
      parts.push(bytes);
      offset += bytes.byteLength;
    };
    const lastByte = this.pdf[this.pdf.byteLength - 1];
    if (lastByte !== 0x0a && lastByte !== 0x0d) push('\n');
    const at = new Map<number, number>();
    for (const n of numbers) {
      const obj = this.context.lookup(PDFRef.of(n));
      if (!obj) throw new Error(`PDF object ${n} was allocated but never assigned`);
      at.set(n, offset);
      push(`${n} 0 obj\n`);
      const body = new Uint8Array(obj.sizeInBytes());
      obj.copyBytesInto(body, 0);
      push(body);
      push('\nendobj\n');
    }
    const xrefAt = offset;
    let xref = 'xref\n';
    for (let i = 0; i < numbers.length; ) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
      xref += `${numbers[i]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k++) xref += `${String(at.get(numbers[k]!)).padStart(10, '0')} 00000 n\r\n`;
      i = j + 1;
    }
    const trailer = this.context.obj({});
    for (const key of ['Root', 'Info', 'ID']) {
      const v = this.trailer.get(PDFName.of(key));
      if (v) trailer.set(PDFName.of(key), v);
    }
    trailer.set(PDFName.of('Size'), PDFNumber.of(this.context.largestObjectNumber + 1));
    trailer.set(PDFName.of('Prev'), PDFNumber.of(this.startXref));
    push(`${xref}trailer\n${trailer.toString()}\nstartxref\n${xrefAt}\n%%EOF\n`);
    return Buffer.concat(parts);
  }
}

import {
  PDFArray,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFOperator,
  PDFOperatorNames,
  PDFRef,
  type PDFDocument,
  type PDFPage,
} from 'pdf-lib';

/**
 * Draws on a page of a tagged PDF as one Figure structure element with alternative text, appended to the end of the
 * reading order; on an untagged PDF it just draws. Keeps the Bescheid's PDF/UA-style structure intact after sealing.
 */
export function drawAsFigure(doc: PDFDocument, page: PDFPage, alt: string, draw: () => void): void {
  const root = doc.catalog.lookupMaybe(PDFName.of('StructTreeRoot'), PDFDict);
  const parentTree = root?.lookupMaybe(PDFName.of('ParentTree'), PDFDict);
  const nums = parentTree?.lookupMaybe(PDFName.of('Nums'), PDFArray);
  const documentRef = root ? firstKid(root) : undefined;
  const documentElem = documentRef ? doc.context.lookup(documentRef, PDFDict) : undefined;
  const key = page.node.lookupMaybe(PDFName.of('StructParents'), PDFNumber)?.asNumber();
  const marks = nums && key !== undefined ? pageMarks(doc, nums, key) : undefined;
  if (!documentRef || !documentElem || !marks) {
    draw();
    return;
  }
  const mcid = marks.size();
  const figure = doc.context.register(
    doc.context.obj({
      Type: 'StructElem',
      S: 'Figure',
      P: documentRef,
      Pg: page.ref,
      K: mcid,
      Alt: PDFHexString.fromText(alt),
    }),
  );
  marks.push(figure);
  kidsOf(doc, documentElem).push(figure);
  page.pushOperators(
    PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [PDFName.of('Figure'), `<</MCID ${mcid}>>`]),
  );
  draw();
  page.pushOperators(PDFOperator.of(PDFOperatorNames.EndMarkedContent));
}

function firstKid(root: PDFDict): PDFRef | undefined {
  const k = root.get(PDFName.of('K'));
  if (k instanceof PDFRef) return k;
  if (k instanceof PDFArray && k.get(0) instanceof PDFRef) return k.get(0) as PDFRef;
  return undefined;
}

function kidsOf(doc: PDFDocument, elem: PDFDict): PDFArray {
  const k = elem.get(PDFName.of('K'));
  const resolved = k instanceof PDFRef ? doc.context.lookup(k) : k;
  if (resolved instanceof PDFArray) return resolved;
  const kids = doc.context.obj(resolved ? [resolved] : []) as PDFArray;
  elem.set(PDFName.of('K'), kids);
  return kids;
}

/** The parent-tree entry (MCID → structure element) of one page, from a flat number tree as pdfkit writes it. */
function pageMarks(doc: PDFDocument, nums: PDFArray, key: number): PDFArray | undefined {
  for (let i = 0; i + 1 < nums.size(); i += 2) {
    if (nums.lookup(i, PDFNumber).asNumber() !== key) continue;
    const entry = nums.get(i + 1);
    const marks = entry instanceof PDFRef ? doc.context.lookup(entry) : entry;
    return marks instanceof PDFArray ? marks : undefined;
  }
  return undefined;
}

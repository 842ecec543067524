import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef } from 'pdf-lib';
import type { PdfIncrement } from './pdf-increment.js';

/**
 * Wraps content drawn on a page of a tagged PDF as one Figure structure element with alternative text, appended to
 * the end of the reading order; on an untagged PDF it returns the content as it is. Keeps the Bescheid's PDF/UA-style
 * structure intact after sealing. Marks the structure objects it changes in the update.
 */
export function tagAsFigure(u: PdfIncrement, page: PDFRef, alt: string, content: string): string {
  const catalog = u.resolve(u.root, PDFDict);
  const rootRef = catalog.get(PDFName.of('StructTreeRoot'));
  if (!(rootRef instanceof PDFRef)) return content;
  const root = u.resolve(rootRef, PDFDict);
  const documentRef = firstKid(u, root);
  const key = u.resolve(page, PDFDict).get(PDFName.of('StructParents'));
  const parentTree = u.resolveMaybe(root.get(PDFName.of('ParentTree')), PDFDict);
  const nums = parentTree && u.resolveMaybe(parentTree.get(PDFName.of('Nums')), PDFArray);
  const marks = nums && key instanceof PDFNumber ? pageMarks(u, nums, key.asNumber()) : undefined;
  if (!documentRef || !parentTree || !marks) return content;
  // The objects that hold what changes: the marks array (in the parent tree or its own) and the document's kids.
  const treeEntry = root.get(PDFName.of('ParentTree'));
  const numsEntry = parentTree.get(PDFName.of('Nums'));
  u.touch(
    marks.holder ?? (numsEntry instanceof PDFRef ? numsEntry : treeEntry instanceof PDFRef ? treeEntry : rootRef),
  );
  const documentElem = u.resolve(documentRef, PDFDict);
  const kids = documentElem.get(PDFName.of('K'));
  let kidArray: PDFArray;
  if (kids instanceof PDFRef) {
    u.touch(kids);
    kidArray = u.resolve(kids, PDFArray);
  } else {
    u.touch(documentRef);
    kidArray = kids instanceof PDFArray ? kids : u.context.obj(kids ? [kids] : []);
    documentElem.set(PDFName.of('K'), kidArray);
  }
  const mcid = marks.array.size();
  const figure = u.context.register(
    u.context.obj({
      Type: 'StructElem',
      S: 'Figure',
      P: documentRef,
      Pg: page,
      K: mcid,
      Alt: PDFHexString.fromText(alt),
    }),
  );
  marks.array.push(figure);
  kidArray.push(figure);
  return `/Figure <</MCID ${mcid}>> BDC\n${content}EMC\n`;
}

function firstKid(u: PdfIncrement, root: PDFDict): PDFRef | undefined {
  const k = root.get(PDFName.of('K'));
  if (k instanceof PDFRef) {
    const resolved = u.get(k);
    if (resolved instanceof PDFArray)
      return resolved.get(0) instanceof PDFRef ? (resolved.get(0) as PDFRef) : undefined;
    return k;
  }
  if (k instanceof PDFArray && k.get(0) instanceof PDFRef) return k.get(0) as PDFRef;
  return undefined;
}

/** The parent-tree entry (MCID → structure element) of one page, from a flat number tree as pdfkit writes it. */
function pageMarks(u: PdfIncrement, nums: PDFArray, key: number): { array: PDFArray; holder?: PDFRef } | undefined {
  for (let i = 0; i + 1 < nums.size(); i += 2) {
    if (u.resolve(nums.get(i), PDFNumber).asNumber() !== key) continue;
    const entry = nums.get(i + 1);
    const array = u.resolveMaybe(entry, PDFArray);
    return array ? { array, holder: entry instanceof PDFRef ? entry : undefined } : undefined;
  }
  return undefined;
}

"""What independent PDF tools see in a PDF, as JSON on stdout: the tests' stand-in for poppler, without root.

Usage: pdf-inspect.py FILE [--trust CA.pem ...]

- text: the page text as pdfminer.six extracts it
- tagged, lang: the catalogue's MarkInfo/Marked and Lang (pikepdf)
- structure: every structure element in document order, with its type and the text of its marked content
  (pdfminer.six reads the marked-content sequences, pikepdf walks the structure tree)
- fonts: every font object, whether its program is embedded and whether it maps to Unicode
- signatures: per signature field, pyHanko's validation against the given trust anchors (intact, valid, trusted,
  coverage) and the PAdES baseline level the signature reaches (B-B, B-T, B-LT, B-LTA)

Installed by `npm run setup -- --tests` into .tools/pdf (scripts/requirements/pdf-test-requirements.txt).
"""

import io
import json
import sys

import pikepdf
from pdfminer.high_level import extract_text
from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFObjRef


class MarkedContentText(PDFDevice):
    """Collects the text shown inside each marked-content sequence with an MCID, per page."""

    def __init__(self, rsrcmgr):
        super().__init__(rsrcmgr)
        self.page = -1
        self.stack = []
        self.texts = {}

    def begin_page(self, page, ctm):
        self.page += 1

    def begin_tag(self, tag, props=None):
        if isinstance(props, PDFObjRef):
            props = props.resolve()
        mcid = props.get("MCID") if isinstance(props, dict) else None
        self.stack.append(mcid)

    def end_tag(self):
        if self.stack:
            self.stack.pop()

    def render_string(self, textstate, seq, ncs, graphicstate):
        mcid = next((m for m in reversed(self.stack) if m is not None), None)
        if mcid is None:
            return
        font = textstate.font
        text = ""
        for obj in seq:
            if isinstance(obj, bytes):
                for cid in font.decode(obj):
                    try:
                        text += font.to_unichr(cid)
                    except Exception:
                        pass
        key = (self.page, mcid)
        self.texts[key] = self.texts.get(key, "") + text


def marked_texts(data):
    rsrcmgr = PDFResourceManager()
    device = MarkedContentText(rsrcmgr)
    interpreter = PDFPageInterpreter(rsrcmgr, device)
    for page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(page)
    return device.texts


def structure(pdf, texts):
    page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    root = pdf.Root.get("/StructTreeRoot")
    elements = []

    def kids_of(node):
        k = node.get("/K")
        if k is None:
            return []
        return list(k) if isinstance(k, pikepdf.Array) else [k]

    def walk(node, page, depth):
        """Returns the text of the node's subtree; appends each element (pre-order) to `elements`."""
        if "/Pg" in node:
            page = page_index.get(node.Pg.objgen, page)
        entry = None
        if "/S" in node:
            entry = {"type": str(node.S)[1:], "depth": depth, "text": ""}
            elements.append(entry)
        text = ""
        for kid in kids_of(node):
            if isinstance(kid, int):
                text += texts.get((page, int(kid)), "")
            elif isinstance(kid, pikepdf.Dictionary):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    kid_page = page_index.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                    text += texts.get((kid_page, int(kid.MCID)), "")
                elif kind == "/OBJR":
                    continue
                else:
                    text += walk(kid, page, depth + 1)
        if entry is not None:
            entry["text"] = text
        return text

    if root is not None:
        walk(root, None, -1)
    return elements


def fonts(pdf):
    found = []
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
            continue
        subtype = str(obj.get("/Subtype"))
        if subtype in ("/CIDFontType0", "/CIDFontType2"):
            continue  # a Type0 font's descendant: reported with its parent, which carries the ToUnicode map
        if subtype == "/Type0":
            descendant = obj.DescendantFonts[0]
            descriptor = descendant.get("/FontDescriptor")
        elif subtype == "/Type3":
            descriptor = None
        else:
            descriptor = obj.get("/FontDescriptor")
        embedded = subtype == "/Type3" or (
            descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        )
        found.append(
            {
                "name": str(obj.get("/BaseFont", "")).lstrip("/"),
                "type": subtype.lstrip("/"),
                "embedded": embedded,
                "unicode": "/ToUnicode" in obj,
            }
        )
    return found


def signatures(data, trust_files):
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for name in trust_files:
        with open(name, "rb") as f:
            raw = f.read()
        for _, _, der in pem.unarmor(raw, multiple=True) if pem.detect(raw) else [(None, None, raw)]:
            roots.append(x509.Certificate.load(der))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        has_dss = "/DSS" in reader.root
        embedded = reader.embedded_signatures
    except Exception as err:  # a file pyHanko cannot read has no signature it can confirm
        return [{"field": None, "intact": False, "valid": False, "trusted": False, "error": f"{type(err).__name__}: {err}"}]
    doc_timestamps = [s for s in embedded if s.sig_object_type == "/DocTimeStamp"]
    results = []
    for sig in embedded:
        if sig.sig_object_type == "/DocTimeStamp":
            continue
        entry = {"field": sig.field_name, "subFilter": str(sig.sig_object.get("/SubFilter", "")).lstrip("/")}
        try:
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False))
        except Exception as err:  # a broken signature is a finding, not a crash
            entry.update(intact=False, valid=False, trusted=False, error=f"{type(err).__name__}: {err}")
            results.append(entry)
            continue
        signed_attrs = {a["type"].native for a in sig.signer_info["signed_attrs"]}
        timestamp = status.timestamp_validity
        timestamp_ok = timestamp is not None and timestamp.intact and timestamp.valid
        level = None
        if entry["subFilter"] == "ETSI.CAdES.detached" and (
            "signing_certificate_v2" in signed_attrs or "signing_certificate" in signed_attrs
        ):
            level = "B-B"
            if timestamp_ok:
                level = "B-T"
                if has_dss:
                    level = "B-LT"
                    if doc_timestamps:
                        level = "B-LTA"
        entry.update(
            intact=status.intact,
            valid=status.valid,
            trusted=status.trusted,
            coverage=status.coverage.name if status.coverage is not None else None,
            signer=status.signing_cert.subject.native.get("common_name"),
            signedAttributes=sorted(signed_attrs),
            timestamp=timestamp.timestamp.isoformat() if timestamp_ok else None,
            padesLevel=level,
        )
        results.append(entry)
    return results


def main(argv):
    file = argv[0]
    trust = [argv[i + 1] for i, a in enumerate(argv) if a == "--trust"]
    with open(file, "rb") as f:
        data = f.read()
    report = {"text": extract_text(io.BytesIO(data))}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        mark_info = pdf.Root.get("/MarkInfo")
        report["tagged"] = bool(mark_info is not None and mark_info.get("/Marked", False))
        report["lang"] = str(pdf.Root.get("/Lang", ""))
        report["pages"] = len(pdf.pages)
        report["structure"] = structure(pdf, marked_texts(data))
        report["fonts"] = fonts(pdf)
    if trust or "--signatures" in argv:
        report["signatures"] = signatures(data, trust)
    json.dump(report, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Generator of hostile PDFs for the masking pipeline (issue #13). Every case is made at test time from
invented data (tests/fixtures/masking/docs.py), cheaply, and says what a safe outcome is.

Each case: a PDF file, the boxes the officer drew, the secrets (name, unit, ID number) that must not
survive, and ``expect``: "clean" (a verified output with no form of any secret in it) or "refuse" (a
clear Chinese message and no output); "either" when both are safe. Never a leak.

    python -m tests.hostile.pdfs OUTDIR     # write the corpus to OUTDIR (for manual poking)
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from PIL import Image

from tests.fixtures.masking.docs import ID_NUMBER, NAME, UNIT, certificate_image, cjk_font, jpeg_bytes

W, H = 595.0, 842.0
SECRETS = [NAME, UNIT, ID_NUMBER]
# the line of certificate_image naming the person and the ID number, and the unit's line
CERT_BOXES = [(0.05, 0.195, 0.95, 0.245), (0.05, 0.235, 0.95, 0.285), (0.5, 0.375, 0.95, 0.425)]


@dataclass
class Case:
    name: str
    path: Path
    boxes: list[tuple[int, tuple[float, float, float, float]]] = field(default_factory=list)  # (page, x0,y0,x1,y1)
    secrets: list[str] = field(default_factory=lambda: list(SECRETS))
    expect: str = "clean"  # clean | refuse | either
    why: str = ""

    def boxes_json(self) -> dict[str, object]:
        pages: dict[int, list[dict[str, object]]] = {}
        for page, (x0, y0, x1, y1) in self.boxes:
            pages.setdefault(page, []).append({"category": "name", "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                                               "score": 1.0, "source": "manual"})
        return {"pages": [{"index": i, "boxes": b} for i, b in sorted(pages.items())]}


def _frac(r: pymupdf.Rect, pad: float = 6) -> tuple[float, float, float, float]:
    return ((r.x0 - pad) / W, (r.y0 - pad) / H, (r.x1 + pad) / W, (r.y1 + pad) / H)


def _text_page(doc: pymupdf.Document, lines: list[tuple[float, str]]) -> pymupdf.Page:
    page = doc.new_page(width=W, height=H)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    for y, text in lines:
        page.insert_text((72, y), text, fontname="cjk", fontsize=14)
    return page


def _save(doc: pymupdf.Document, path: Path, **kw: object) -> Path:
    doc.save(path, **kw)
    doc.close()
    return path


# ------------------------------------------------------------------------------------------ cases

def freetext_in_box(d: Path) -> Case:
    doc = pymupdf.open()
    page = _text_page(doc, [(100, "证明")])
    r = pymupdf.Rect(72, 300, 420, 330)
    page.add_freetext_annot(r, f"身份证号 {ID_NUMBER}", fontsize=14, fontname="china-s")
    return Case("freetext_in_box", _save(doc, d / "freetext_in_box.pdf"), [(0, _frac(r))],
                why="a FreeText annotation showing the ID inside a box: rendered, then burned away")


def widget_outside_box(d: Path) -> Case:
    doc = pymupdf.open()
    page = _text_page(doc, [(100, "申报表")])
    w = pymupdf.Widget()
    w.field_name, w.field_type, w.rect = "id", pymupdf.PDF_WIDGET_TYPE_TEXT, pymupdf.Rect(72, 500, 420, 530)
    w.field_value, w.text_fontsize = ID_NUMBER, 14
    page.add_widget(w)
    return Case("widget_outside_box", _save(doc, d / "widget_outside_box.pdf"), [(0, (0.1, 0.1, 0.2, 0.15))],
                expect="refuse", why="a form field prints the ID where no box is: it would be burned in visibly")


def hidden_annotation(d: Path) -> Case:
    doc = pymupdf.open()
    page = _text_page(doc, [(100, "证明")])
    a = page.add_freetext_annot(pymupdf.Rect(72, 600, 420, 630), ID_NUMBER, fontsize=14)
    a.set_flags(pymupdf.PDF_ANNOT_IS_HIDDEN | pymupdf.PDF_ANNOT_IS_NO_VIEW)
    a.update()
    return Case("hidden_annotation", _save(doc, d / "hidden_annotation.pdf"), [(0, (0.1, 0.1, 0.2, 0.15))],
                expect="either", why="a hidden annotation holding the ID: not printed, so dropped — or refused")


def embedded_file_and_javascript(d: Path) -> Case:
    doc = pymupdf.open()
    _text_page(doc, [(100, "证明")])
    doc.embfile_add("身份.txt", f"{NAME} {ID_NUMBER} {UNIT}".encode(), filename="身份.txt")
    js = doc.get_new_xref()
    doc.update_object(js, f"<< /S /JavaScript /JS (app.alert\\('{ID_NUMBER}'\\)) >>")
    doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")
    doc.set_metadata({"title": NAME, "author": UNIT, "subject": ID_NUMBER})
    doc.set_xml_metadata(f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc>{ID_NUMBER}</dc></x:xmpmeta>")
    return Case("embedded_file_and_javascript", _save(doc, d / "embedded_js.pdf"), [(0, (0.1, 0.1, 0.2, 0.15))],
                why="attachment, JavaScript, Info and XMP hold the secrets: none is printed, all are dropped")


def secret_in_old_revision(d: Path) -> Case:
    doc = pymupdf.open()
    _text_page(doc, [(100, "证明"), (300, f"身份证号 {ID_NUMBER}")])
    path = _save(doc, d / "old_revision.pdf")
    doc = pymupdf.open(path)
    page = doc[0]
    first, *rest = page.get_contents()
    doc.update_stream(first, b"")  # the new revision shows nothing; the old streams stay in the file
    for xref in rest:
        doc.update_stream(xref, b"")
    doc.saveIncr()
    doc.close()
    return Case("secret_in_old_revision", path, [(0, (0.1, 0.1, 0.2, 0.15))],
                why="the ID is in an earlier revision only (incremental update): the output is one revision")


def cmyk_and_icc_scan(d: Path) -> Case:
    cert = certificate_image(size=(1240, 1754), seal=False)
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    page.insert_image(page.rect, stream=jpeg_bytes(cert.convert("CMYK"), 85))  # Adobe CMYK JPEG
    page = doc.new_page(width=W, height=H)
    buf = io.BytesIO()
    cert.convert("RGB").save(buf, "JPEG", quality=85, icc_profile=_srgb_icc())  # ICCBased colour space
    page.insert_image(page.rect, stream=buf.getvalue())
    page = doc.new_page(width=W, height=H)
    buf = io.BytesIO()
    cert.convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(buf, "PNG")  # Indexed colour space
    page.insert_image(page.rect, stream=buf.getvalue())
    boxes = [(p, b) for p in range(3) for b in CERT_BOXES]
    return Case("cmyk_icc_indexed", _save(doc, d / "colour_spaces.pdf"), boxes,
                why="CMYK, ICC-based and indexed scans: decoded to RGB, masked, re-encoded without the profile")


def _srgb_icc() -> bytes:
    from PIL import ImageCms

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def many_pages(d: Path, n: int = 5000) -> Case:
    """A 5,000-page PDF written by hand in a few milliseconds: every page shares one content stream."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    content = b"BT /F1 12 Tf 72 720 Td (page) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")  # 3
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")  # 4
    kids = []
    for _ in range(n):
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
                    b"/Resources << /Font << /F1 4 0 R >> >> >>")
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, b" ".join(b"%d 0 R" % k for k in kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path = d / "many_pages.pdf"
    path.write_bytes(bytes(out))
    return Case("many_pages", path, [(0, (0.1, 0.1, 0.2, 0.15))], expect="refuse",
                why=f"{n} pages: refused up front instead of rendering for an hour")


def secret_as_vector_outlines(d: Path) -> Case:
    """The ID drawn as text in a tiny invisible render mode (3 = invisible) outside the boxes: not shown in
    pixels, found by text search — refused (fail-closed) or, if not found, absent from the pixels."""
    doc = pymupdf.open()
    page = _text_page(doc, [(100, "证明")])
    page.insert_text((72, 700), ID_NUMBER, fontsize=12, render_mode=3)
    return Case("invisible_text_layer", _save(doc, d / "invisible_text.pdf"), [(0, (0.1, 0.1, 0.2, 0.15))],
                expect="either", why="an invisible OCR-style text layer holding the ID outside the boxes")


CASES: list[Callable[[Path], Case]] = [
    freetext_in_box, widget_outside_box, hidden_annotation, embedded_file_and_javascript, secret_in_old_revision,
    cmyk_and_icc_scan, many_pages, secret_as_vector_outlines,
]


def build_all(d: Path) -> list[Case]:
    d.mkdir(parents=True, exist_ok=True)
    return [make(d) for make in CASES]


if __name__ == "__main__":  # pragma: no cover - manual use
    for c in build_all(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-pdfs")):
        print(f"{c.name:32} {c.expect:7} {c.path}  — {c.why}")

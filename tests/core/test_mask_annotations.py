"""#13 item 11: annotations and form fields are part of what a printout shows. Burn-in renders them into
the page pixels (then the output is pixels only); a secret they show outside every box is refused; the
verifier fails any output holding an annotation or a widget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from app.errors import CheckFailed
from app.masking.boxes import Box, BoxSet, PageBoxes
from app.masking.burn import apply_masks
from app.masking.suggest.ocr import get_engine, ocr_image
from app.masking.verify import verify_masked
from tests.fixtures.masking.docs import ID_NUMBER, NAME, certificate_image, cjk_font, scan_pdf

W, H = 595.0, 842.0
ANNOT = pymupdf.Rect(72, 300, 400, 330)  # FreeText showing the ID number
FIELD = pymupdf.Rect(72, 500, 400, 530)  # text form field holding the ID number
NOTE = pymupdf.Rect(72, 650, 300, 680)  # FreeText with harmless text, outside every box


def _frac(r: pymupdf.Rect, pad: float = 6) -> Box:
    return Box("name", (r.x0 - pad) / W, (r.y0 - pad) / H, (r.x1 + pad) / W, (r.y1 + pad) / H, 1.0, "manual")


def overlay_pdf(path: Path, *, scan: bool = False) -> Path:
    """A page (text or one scanned JPEG) with a FreeText annotation and a text widget showing the ID."""
    if scan:
        scan_pdf(path, [certificate_image(size=(1240, 1754), seal=False)])
        doc = pymupdf.open(path)
    else:
        doc = pymupdf.open()
        page = doc.new_page(width=W, height=H)
        page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
        page.insert_text((72, 100), "证明 第 1 页", fontname="cjk", fontsize=14)
    page = doc[0]
    page.add_freetext_annot(ANNOT, f"ID {ID_NUMBER}", fontsize=14, text_color=(0, 0, 0))
    page.add_freetext_annot(NOTE, "REVIEWED", fontsize=14, text_color=(0, 0, 0))
    w = pymupdf.Widget()
    w.field_name, w.field_type, w.rect = "idno", pymupdf.PDF_WIDGET_TYPE_TEXT, FIELD
    w.field_value, w.text_fontsize = ID_NUMBER, 14
    page.add_widget(w)
    out = path.with_name(path.stem + "_o.pdf")
    doc.save(out)
    doc.close()
    return out


def _page_pixels(path: Path) -> np.ndarray:
    with pymupdf.open(path) as doc:
        pix = doc[0].get_pixmap(dpi=100, alpha=False)
        return np.asarray(Image.frombytes("RGB", (pix.width, pix.height), pix.samples).convert("L"))


def _region(arr: np.ndarray, r: pymupdf.Rect) -> np.ndarray:
    h, w = arr.shape
    return arr[int(r.y0 / H * h):int(r.y1 / H * h), int(r.x0 / W * w):int(r.x1 / W * w)]


@pytest.mark.parametrize("scan", [False, True], ids=["text-page", "scanned-page"])
def test_annotation_and_widget_inside_boxes_are_burned_away(tmp_path: Path, scan: bool) -> None:
    src = overlay_pdf(tmp_path / "src.pdf", scan=scan)
    boxes = BoxSet([PageBoxes(0, [_frac(ANNOT), _frac(FIELD)])])
    out = tmp_path / "out.pdf"
    res = apply_masks(src, boxes, out, secrets=[ID_NUMBER, NAME], ocr=None)
    assert res.report is not None and res.report.ok
    assert res.page_origins == ["pdf-render"]  # rendered with its annotations, not the bare scan
    ocr_check = res.report.get("ocr_in_boxes")
    assert ocr_check is not None and ocr_check.ok and get_engine() is not None and "跳过" not in ocr_check.detail
    with pymupdf.open(out) as doc:
        page = doc[0]
        assert page.first_annot is None and page.first_widget is None and not doc.is_form_pdf
    arr = _page_pixels(out)
    for r in (ANNOT, FIELD):
        region = _region(arr, r)
        assert region.max() - region.min() <= 24  # one flat fill
    assert _region(arr, NOTE).min() < 80  # the harmless annotation was printed into the pixels
    engine = get_engine()
    text = "".join(ch.text for line in ocr_image(np.stack([arr] * 3, axis=2), engine) for ch in line.chars)
    assert ID_NUMBER[-6:] not in text.replace(" ", "")
    assert ID_NUMBER.encode() not in out.read_bytes()


@pytest.mark.parametrize("which", ["annot", "widget"])
def test_secret_shown_by_an_annotation_or_field_outside_the_boxes_is_refused(tmp_path: Path, which: str) -> None:
    """Fail-closed: the output is what a printout shows, so a visible ID outside every box would leak."""
    src = overlay_pdf(tmp_path / "src.pdf")
    covered = FIELD if which == "annot" else ANNOT  # box only the other one
    out = tmp_path / "out.pdf"
    with pytest.raises(CheckFailed) as exc:
        apply_masks(src, BoxSet([PageBoxes(0, [_frac(covered)])]), out, secrets=[ID_NUMBER], ocr=False)
    assert "第 1 页的注释或表单域" in exc.value.message and "遮盖框" in exc.value.message
    assert ID_NUMBER not in exc.value.message
    assert not out.exists() and not list(tmp_path.glob(".out.pdf*"))


def test_secret_in_the_text_layer_outside_the_boxes_is_refused_too(tmp_path: Path) -> None:
    """A new case of the same class: the page's own text shows the ID where no box is."""
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    page.insert_text((72, 700), f"ID {ID_NUMBER}", fontsize=12)
    doc.save(tmp_path / "t.pdf")
    doc.close()
    with pytest.raises(CheckFailed) as exc:
        apply_masks(tmp_path / "t.pdf", BoxSet([PageBoxes(0, [Box("name", 0.1, 0.1, 0.3, 0.2)])]),
                    tmp_path / "o.pdf", secrets=[ID_NUMBER], ocr=False)
    assert "第 1 页的文字" in exc.value.message


def test_rotated_page_with_a_field_inside_its_box_passes(tmp_path: Path) -> None:
    """Boxes are fractions of the displayed (rotated) page: the field's rectangle is turned with it."""
    src = overlay_pdf(tmp_path / "src.pdf")
    with pymupdf.open(src) as doc:
        doc[0].set_rotation(90)
        doc.save(tmp_path / "rot.pdf")
    with pymupdf.open(tmp_path / "rot.pdf") as doc:
        page = doc[0]
        pr = page.rect
        boxes = []
        for r in (ANNOT, FIELD):
            d = r * page.rotation_matrix
            boxes.append(Box("name", (d.x0 - 6) / pr.width, (d.y0 - 6) / pr.height, (d.x1 + 6) / pr.width,
                             (d.y1 + 6) / pr.height))
    res = apply_masks(tmp_path / "rot.pdf", BoxSet([PageBoxes(0, boxes)]), tmp_path / "o.pdf",
                      secrets=[ID_NUMBER], ocr=False)
    assert res.report is not None and res.report.ok


@pytest.mark.parametrize("what", ["annot", "widget"])
def test_verifier_fails_an_output_holding_an_annotation_or_widget(tmp_path: Path, what: str) -> None:
    src = overlay_pdf(tmp_path / "src.pdf")
    boxes = BoxSet([PageBoxes(0, [_frac(ANNOT), _frac(FIELD)])])
    apply_masks(src, boxes, tmp_path / "clean.pdf", secrets=[ID_NUMBER], ocr=False)
    with pymupdf.open(tmp_path / "clean.pdf") as doc:
        page = doc[0]
        if what == "annot":
            page.add_freetext_annot(pymupdf.Rect(10, 10, 100, 30), "x")
        else:
            w = pymupdf.Widget()
            w.field_name, w.field_type, w.rect = "f", pymupdf.PDF_WIDGET_TYPE_TEXT, pymupdf.Rect(10, 10, 100, 30)
            page.add_widget(w)
        doc.save(tmp_path / "bad.pdf")
    report = verify_masked(tmp_path / "bad.pdf", boxes, secrets=[ID_NUMBER], ocr=False)
    assert not report.ok
    meta = report.get("no_metadata")
    assert meta is not None and not meta.ok and ("注释" in meta.detail or "表单" in meta.detail)


def test_a_name_boxed_letter_by_letter_around_its_separator_passes(tmp_path: Path) -> None:
    """Each letter of the secret must be covered; the “·” between given name and family name need not be."""
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.insert_text((72, 200), f"姓名：{NAME}", fontname="cjk", fontsize=20)
    doc.save(tmp_path / "n.pdf")
    chars = [c for b in page.get_text("rawdict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]
             for c in s["chars"]]
    dot = next(i for i, c in enumerate(chars) if c["c"] == "·")
    first, last = chars[3]["bbox"], chars[-1]["bbox"]
    left = Box("name", first[0] / W - 0.005, first[1] / H - 0.005, chars[dot]["bbox"][0] / W, first[3] / H + 0.005)
    right = Box("name", chars[dot]["bbox"][2] / W, first[1] / H - 0.005, last[2] / W + 0.005, last[3] / H + 0.005)
    doc.close()
    res = apply_masks(tmp_path / "n.pdf", BoxSet([PageBoxes(0, [left, right])]), tmp_path / "o.pdf",
                      secrets=[NAME], ocr=False)
    assert res.report is not None and res.report.ok
    with pytest.raises(CheckFailed):  # half the name left visible is refused
        apply_masks(tmp_path / "n.pdf", BoxSet([PageBoxes(0, [left])]), tmp_path / "o2.pdf", secrets=[NAME],
                    ocr=False)

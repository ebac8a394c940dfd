"""Fail-closed verification: a good output passes; a deliberately broken masker is caught for every
leak kind (text layer, original image stream, metadata, XMP, annotation, attachment, JavaScript,
incremental save, unfilled box, EXIF/COM, data after EOI, PNG text chunk, orphaned stream,
encoded secrets)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from app.masking.boxes import Box, BoxSet, PageBoxes
from app.masking.burn import build_pdf, burn_to_bytes, encode_jpeg, strip_jpeg_segments
from app.masking.verify import secret_forms, verify_masked
from tests.fixtures.masking.docs import (
    ID_NUMBER,
    NAME,
    UNIT,
    certificate_image,
    jpeg_bytes,
    scan_pdf,
    text_pdf,
)

SECRETS = [NAME, UNIT, ID_NUMBER]
NAME_BOX = Box("name", 0.1, 0.09, 0.5, 0.13)  # covers "姓名：…" on text_pdf pages (y≈100pt of 842)
UNIT_BOX = Box("unit", 0.1, 0.13, 0.6, 0.165)


def _boxes(pages: int = 2) -> BoxSet:
    return BoxSet([PageBoxes(i, [NAME_BOX, UNIT_BOX]) for i in range(pages)])


def _failed(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.name for c in report.checks if not c.ok}


@pytest.fixture(scope="module")
def text_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return text_pdf(tmp_path_factory.mktemp("src") / "t.pdf", pages=2)


@pytest.fixture(scope="module")
def good_pdf(text_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, kind, _ = burn_to_bytes(text_src.read_bytes(), _boxes())
    assert kind == "pdf"
    p = tmp_path_factory.mktemp("good") / "good.pdf"
    p.write_bytes(out)
    return p


def test_good_output_passes_every_check(good_pdf: Path, text_src: Path) -> None:
    report = verify_masked(good_pdf, _boxes(), original=text_src, secrets=SECRETS, ocr=False)
    assert report.ok, report.summary()
    assert {c.name for c in report.checks} >= {"no_text", "no_metadata", "single_revision", "structure",
                                               "no_original_images", "boxes_filled", "no_secrets"}


def test_unmasked_original_fails(text_src: Path) -> None:
    report = verify_masked(text_src, _boxes(), secrets=SECRETS, ocr=False)
    assert {"no_text", "no_secrets", "structure"} <= _failed(report)
    # the report says where, never what
    assert NAME not in report.dumps() and ID_NUMBER not in report.dumps()


def _resave(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    doc = pymupdf.open(src)
    edit(doc)
    doc.save(dst, garbage=0)
    doc.close()
    return dst


def test_broken_masker_keeps_text_layer(good_pdf: Path, tmp_path: Path) -> None:
    def edit(doc):  # type: ignore[no-untyped-def]
        doc[0].insert_text((72, 100), NAME, fontname="china-s", fontsize=1, render_mode=3)  # invisible text

    report = verify_masked(_resave(good_pdf, tmp_path / "o.pdf", edit), _boxes(), secrets=SECRETS, ocr=False)
    assert {"no_text", "structure", "no_secrets"} <= _failed(report)


def test_broken_masker_reuses_original_image_stream(tmp_path: Path) -> None:
    scan = certificate_image(size=(827, 1170))
    src = scan_pdf(tmp_path / "scan.pdf", [scan])
    original_jpeg = jpeg_bytes(scan, 80)
    # the broken masker draws a black box in the PDF over the untouched original JPEG
    doc = pymupdf.open(src)
    doc[0].draw_rect(pymupdf.Rect(50, 100, 300, 140), fill=(0, 0, 0))
    doc.set_metadata({})
    doc.save(tmp_path / "o.pdf", garbage=3)
    report = verify_masked(tmp_path / "o.pdf", BoxSet([PageBoxes(0, [Box("name", 0.1, 0.12, 0.5, 0.17)])]),
                           original=src, secrets=[], ocr=False)
    assert "no_original_images" in _failed(report)
    assert "structure" in _failed(report)
    # even hidden inside a well-formed output: same stream bytes as the original's image → caught
    im = Image.open(io.BytesIO(original_jpeg))
    sneaky = build_pdf([(strip_jpeg_segments(original_jpeg), im.width, im.height, "RGB", 595.28, 841.89)])
    (tmp_path / "s.pdf").write_bytes(sneaky)
    report = verify_masked(tmp_path / "s.pdf", BoxSet(), original=src, secrets=[], ocr=False)
    assert _failed(report) == {"no_original_images"}


@pytest.mark.parametrize("kind", ["info", "xmp", "annotation", "attachment", "javascript", "form"])
def test_broken_masker_leaves_document_extras(kind: str, good_pdf: Path, tmp_path: Path) -> None:
    def edit(doc):  # type: ignore[no-untyped-def]
        if kind == "info":
            doc.set_metadata({"title": f"{NAME}的证明"})
        elif kind == "xmp":
            doc.set_xml_metadata(f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc>{UNIT}</dc></x:xmpmeta>")
        elif kind == "annotation":
            doc[0].add_text_annot((300, 300), f"备注 {ID_NUMBER}")
        elif kind == "attachment":
            doc.embfile_add("a.txt", f"{NAME}".encode() * 50, filename="a.txt")
        elif kind == "javascript":
            js = doc.get_new_xref()
            doc.update_object(js, "<< /S /JavaScript /JS (app.alert\\('hi'\\)) >>")
            doc.xref_set_key(doc.pdf_catalog(), "OpenAction", f"{js} 0 R")
        elif kind == "form":
            w = pymupdf.Widget()
            w.field_name, w.field_type = "who", pymupdf.PDF_WIDGET_TYPE_TEXT
            w.rect, w.field_value = pymupdf.Rect(72, 400, 300, 420), "x"
            doc[0].add_widget(w)

    report = verify_masked(_resave(good_pdf, tmp_path / "o.pdf", edit), _boxes(), secrets=SECRETS, ocr=False)
    failed = _failed(report)
    assert "no_metadata" in failed or "structure" in failed
    if kind in ("info", "xmp", "annotation", "attachment"):
        assert "no_secrets" in failed
    assert report.ok is False


def test_broken_masker_incremental_save(good_pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.pdf"
    out.write_bytes(good_pdf.read_bytes())
    doc = pymupdf.open(out)
    doc[1].set_rotation(0)  # any edit: an incremental save appends a revision
    doc.xref_set_key(doc[1].xref, "Rotate", "0")
    doc.saveIncr()
    doc.close()
    report = verify_masked(out, _boxes(), secrets=SECRETS, ocr=False)
    assert "single_revision" in _failed(report)


def test_earlier_revision_secret_in_orphaned_compressed_stream(good_pdf: Path, tmp_path: Path) -> None:
    data = good_pdf.read_bytes()
    blob = zlib.compress(f"BT ({NAME}) Tj ET {UNIT}".encode("utf-16-be"))
    orphan = b"99 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(blob) + blob + b"\nendstream\nendobj\n"
    i = data.index(b"xref\n")
    (tmp_path / "o.pdf").write_bytes(data[:i] + orphan + data[i:])
    report = verify_masked(tmp_path / "o.pdf", _boxes(), secrets=SECRETS, ocr=False)
    assert "no_secrets" in _failed(report)


def test_broken_masker_skips_a_box(text_src: Path, tmp_path: Path) -> None:
    out, _, _ = burn_to_bytes(text_src.read_bytes(), BoxSet([PageBoxes(0, [NAME_BOX])]))  # unit box forgotten
    (tmp_path / "o.pdf").write_bytes(out)
    report = verify_masked(tmp_path / "o.pdf", _boxes(), secrets=SECRETS, ocr=False)
    failed = _failed(report)
    assert failed == {"boxes_filled"}
    check = report.get("boxes_filled")
    assert check is not None and check.pages == [0, 1]
    assert "第 1 页第 2 个框" in check.detail


def test_half_filled_box_is_caught(tmp_path: Path) -> None:
    im = certificate_image(size=(827, 1170), seal=False)
    box = Box("name", 0.15, 0.2, 0.45, 0.235)
    a = np.asarray(im).copy()
    h, w = a.shape[:2]
    a[int(0.2 * h):int(0.235 * h), int(0.15 * w):int(0.30 * w)] = 0  # only the left half
    (tmp_path / "o.jpg").write_bytes(encode_jpeg(Image.fromarray(a)))
    report = verify_masked(tmp_path / "o.jpg", BoxSet([PageBoxes(0, [box])]), secrets=[], ocr=False)
    assert _failed(report) == {"boxes_filled"}


def _good_jpeg(tmp_path: Path) -> tuple[Path, BoxSet]:
    src = tmp_path / "cert.jpg"
    certificate_image(size=(827, 1170)).save(src, quality=85)
    boxes = BoxSet([PageBoxes(0, [Box("name", 0.15, 0.2, 0.45, 0.235)])])
    out, kind, _ = burn_to_bytes(src.read_bytes(), boxes)
    assert kind == "jpeg"
    return src, boxes, out  # type: ignore[return-value]


def test_jpeg_with_exif_or_comment_is_caught(tmp_path: Path) -> None:
    src, boxes, out = _good_jpeg(tmp_path)  # type: ignore[misc]
    good = tmp_path / "good.jpg"
    good.write_bytes(out)
    assert verify_masked(good, boxes, original=src, secrets=SECRETS, ocr=False).ok
    com = b"\xff\xfe" + (len(NAME.encode()) + 2).to_bytes(2, "big") + NAME.encode()
    (tmp_path / "com.jpg").write_bytes(out[:2] + com + out[2:])
    report = verify_masked(tmp_path / "com.jpg", boxes, secrets=SECRETS, ocr=False)
    assert {"no_metadata", "no_secrets"} <= _failed(report)
    exif = b"Exif\x00\x00MM\x00*" + ID_NUMBER.encode()
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    (tmp_path / "exif.jpg").write_bytes(out[:2] + app1 + out[2:])
    report = verify_masked(tmp_path / "exif.jpg", boxes, secrets=SECRETS, ocr=False)
    assert {"no_metadata", "no_secrets"} <= _failed(report)


def test_jpeg_data_after_eoi_is_caught(tmp_path: Path) -> None:
    _src, boxes, out = _good_jpeg(tmp_path)  # type: ignore[misc]
    (tmp_path / "t.jpg").write_bytes(out + UNIT.encode("gb18030") + jpeg_bytes(Image.new("RGB", (8, 8))))
    report = verify_masked(tmp_path / "t.jpg", boxes, secrets=SECRETS, ocr=False)
    assert {"structure", "no_secrets"} <= _failed(report)


def test_jpeg_same_scan_as_original_is_caught(tmp_path: Path) -> None:
    src = tmp_path / "cert.jpg"
    certificate_image(size=(827, 1170)).save(src, quality=85, comment=b"scanner")
    stripped = strip_jpeg_segments(src.read_bytes())  # metadata gone, pixels untouched
    (tmp_path / "o.jpg").write_bytes(stripped)
    report = verify_masked(tmp_path / "o.jpg", BoxSet(), original=src, secrets=[], ocr=False)
    assert _failed(report) == {"no_original_images"}


def test_png_text_chunk_is_caught(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("Author", NAME, zip=True)
    Image.new("RGB", (200, 100), (255, 255, 255)).save(tmp_path / "o.png", pnginfo=info)
    report = verify_masked(tmp_path / "o.png", BoxSet(), secrets=SECRETS, ocr=False)
    assert {"no_metadata", "no_secrets"} <= _failed(report)


def test_secret_forms_cover_pdf_encodings() -> None:
    forms = set(secret_forms("张伟"))
    assert "张伟".encode("utf-16-be") in forms
    assert b"\xfe\xff" + "张伟".encode("utf-16-be") in forms
    assert "张伟".encode("utf-16-be").hex().upper().encode() in forms
    assert b"\\137\\040\\117\\037" in forms  # octal-escaped UTF-16BE (张 = 5F20, 伟 = 4F1F)
    assert "张伟".encode("gb18030") in forms


def test_secret_as_pdf_hex_string_in_an_object(good_pdf: Path, tmp_path: Path) -> None:
    hexname = (b"\xfe\xff" + NAME.encode("utf-16-be")).hex().upper()
    data = good_pdf.read_bytes().replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                                         b"<< /Type /Catalog /Pages 2 0 R /Lang <" + hexname.encode() + b"> >>")
    (tmp_path / "o.pdf").write_bytes(data)
    report = verify_masked(tmp_path / "o.pdf", _boxes(), secrets=SECRETS, ocr=False)
    assert "no_secrets" in _failed(report)


def test_ocr_reads_text_inside_a_box(tmp_path: Path) -> None:
    """The OCR check on its own: a box drawn where the text is still readable fails it."""
    from app.masking.verify import _ocr_in_boxes

    im = certificate_image(size=(827, 1170), seal=False)
    box = Box("name", 0.08, 0.19, 0.95, 0.24)  # over the first body line, unmasked
    check = _ocr_in_boxes([(np.asarray(im), True)], BoxSet([PageBoxes(0, [box])]), True)
    assert not check.ok and check.pages == [0]
    assert NAME not in check.detail
    filled = np.asarray(im).copy()
    h, w = filled.shape[:2]
    filled[int(0.19 * h):int(0.24 * h) + 1, int(0.08 * w):int(0.95 * w) + 1] = 0
    assert _ocr_in_boxes([(filled, True)], BoxSet([PageBoxes(0, [box])]), True).ok


def test_missing_output_is_input_error(tmp_path: Path) -> None:
    from app.errors import InputFileError

    with pytest.raises(InputFileError, match="找不到"):
        verify_masked(tmp_path / "none.pdf", BoxSet())


def test_garbage_output_fails_readable(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"hello world")
    report = verify_masked(tmp_path / "x.pdf", BoxSet(), ocr=False)
    assert "readable" in _failed(report) and not report.ok


# ---------------------------------------------------------------- harmless structure of files masked elsewhere

def _jfif(thumb: tuple[int, int] = (0, 0)) -> bytes:
    w, h = thumb
    body = b"JFIF\x00\x01\x01\x01\x00\xc8\x00\xc8" + bytes([w, h]) + bytes(3 * w * h)
    return b"\xff\xe0" + (len(body) + 2).to_bytes(2, "big") + body


def test_jpeg_with_plain_jfif_header_is_accepted(tmp_path: Path) -> None:
    src, boxes, out = _good_jpeg(tmp_path)  # type: ignore[misc]
    (tmp_path / "jfif.jpg").write_bytes(out[:2] + _jfif() + out[2:])
    report = verify_masked(tmp_path / "jfif.jpg", boxes, original=src, secrets=SECRETS, ocr=False)
    assert report.ok, report.summary()


def test_jpeg_with_jfif_thumbnail_or_two_app0_is_refused(tmp_path: Path) -> None:
    _src, boxes, out = _good_jpeg(tmp_path)  # type: ignore[misc]
    (tmp_path / "thumb.jpg").write_bytes(out[:2] + _jfif((4, 3)) + out[2:])
    assert "no_metadata" in _failed(verify_masked(tmp_path / "thumb.jpg", boxes, secrets=SECRETS, ocr=False))
    (tmp_path / "two.jpg").write_bytes(out[:2] + _jfif() + _jfif() + out[2:])
    assert "no_metadata" in _failed(verify_masked(tmp_path / "two.jpg", boxes, secrets=SECRETS, ocr=False))


def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _with_icc(good_pdf: Path, dst: Path, profile: bytes) -> Path:
    def edit(doc):  # type: ignore[no-untyped-def]
        icc = doc.get_new_xref()
        doc.update_object(icc, "<< /N 3 /Alternate /DeviceRGB >>")
        doc.update_stream(icc, profile)
        for page in doc:
            for img in page.get_images(full=True):
                doc.xref_set_key(img[0], "ColorSpace", f"[/ICCBased {icc} 0 R]")

    return _resave(good_pdf, dst, edit)


def test_pdf_image_with_icc_profile_is_accepted(good_pdf: Path, text_src: Path, tmp_path: Path) -> None:
    out = _with_icc(good_pdf, tmp_path / "icc.pdf", _srgb_profile())
    assert b"/ICCBased" in out.read_bytes()
    report = verify_masked(out, _boxes(), original=text_src, secrets=SECRETS, ocr=False)
    assert report.ok, report.summary()


def test_pdf_icc_profile_holding_a_secret_or_other_data_is_refused(good_pdf: Path, tmp_path: Path) -> None:
    profile = bytearray(_srgb_profile())
    profile += NAME.encode("utf-16-be")  # e.g. a description tag naming the person
    profile[:4] = len(profile).to_bytes(4, "big")
    report = verify_masked(_with_icc(good_pdf, tmp_path / "s.pdf", bytes(profile)), _boxes(), secrets=SECRETS,
                           ocr=False)
    assert _failed(report) == {"no_secrets"}
    report = verify_masked(_with_icc(good_pdf, tmp_path / "d.pdf", b"not a profile " * 40), _boxes(),
                           secrets=SECRETS, ocr=False)
    assert _failed(report) == {"structure"}
    assert "ICC" in (report.get("structure").detail if report.get("structure") else "")


# ---------------------------------------------------------------- OCR at the boxes' edges (issue 19)

BODY = "本人自参加工作以来认真履行岗位职责积极参加继续教育完成各项教学任务"


def _ruled_text_page() -> Image.Image:
    """A page of text lines with table rules between them (A4 at 100 dpi-like size, 13 pt text)."""
    from PIL import ImageDraw

    from tests.fixtures.masking.docs import text_page_image

    im = text_page_image([(BODY[k % 7:] + BODY[:k % 7], 0.08, 0.1 + k * 0.035, 13) for k in range(12)],
                         size=(1654, 2339))
    d = ImageDraw.Draw(im)
    for k in range(0, 12, 3):
        y = int((0.1 + k * 0.035) * 2339) + 14
        d.line((100, y, 1554, y), fill=(0, 0, 0), width=3)
    d.line((700, 150, 700, 1200), fill=(0, 0, 0), width=3)
    return im


def test_no_false_reject_where_lines_and_rules_pass_through_boxes(tmp_path: Path) -> None:
    from app.masking.burn import apply_masks

    src = tmp_path / "page.jpg"
    _ruled_text_page().save(src, quality=85)
    W, H = 1654, 2339
    fs = 13 * 200 / 72
    boxes = []
    for k, (first, n) in enumerate([(2, 4), (10, 6), (0, 3), (15, 8), (5, 5), (12, 4)]):
        base = (0.1 + 2 * k * 0.035) * H
        x0 = 0.08 * W + first * fs - 3
        boxes.append(Box("name", x0 / W, (base - fs) / H, (x0 + n * fs + 6) / W, (base + 0.25 * fs) / H))
    boxes.append(Box("unit", 640 / W, 300 / H, 780 / W, 420 / H))  # crossed by the vertical rule
    out = tmp_path / "out.jpg"
    result = apply_masks(src, BoxSet([PageBoxes(0, boxes)]), out, ocr=True)
    assert result.report is not None and result.report.ok, result.report.summary()
    check = result.report.get("ocr_in_boxes")
    assert check is not None and "识别了" in check.detail  # edges touched by text were read, not skipped


def _half_covered(tmp_path: Path, cover: str) -> tuple[Path, BoxSet]:
    from tests.fixtures.masking.docs import text_page_image

    W, H = 827, 1170
    im = text_page_image([(f"兹证明{NAME}同志在本单位工作。", 0.1, 0.2, 15)], size=(W, H))
    a = np.asarray(im)
    rows = np.flatnonzero((a.min(axis=2) < 128).any(axis=1))
    top, bottom = int(rows.min()), int(rows.max())
    mid = (top + bottom) // 2
    t, b = (top - 4, mid) if cover == "top" else (mid, bottom + 4)
    box = Box("name", 0.1 + 3 * 42 / W, t / H, 0.1 + 11 * 42 / W, b / H)  # the name's width, half its height
    src = tmp_path / f"{cover}.png"
    im.save(src)
    boxes = BoxSet([PageBoxes(0, [box])])
    out, _, _ = burn_to_bytes(src.read_bytes(), boxes)
    (tmp_path / f"{cover}-out.png").write_bytes(out)
    return tmp_path / f"{cover}-out.png", boxes


@pytest.mark.parametrize("cover", ["top", "bottom"])
def test_box_covering_half_the_height_of_a_name_is_caught(cover: str, tmp_path: Path) -> None:
    out, boxes = _half_covered(tmp_path, cover)
    report = verify_masked(out, boxes, secrets=SECRETS, ocr=True)
    assert _failed(report) == {"ocr_in_boxes"}
    check = report.get("ocr_in_boxes")
    assert check is not None and check.pages == [0] and "边缘" in check.detail and NAME not in check.detail


def test_character_on_a_line_through_a_filled_box_does_not_count() -> None:
    """The rule itself: a character the OCR places inside or beside a filled box (a line passing
    through it) does not count; one reaching the box's edge from outside, over it, half shown, does."""
    from app.masking.verify import _char_straddles, _OcrTile

    img = np.full((40, 300, 3), 250, np.uint8)
    ink = np.zeros((40, 300), bool)
    ink[0:12, 110:140] = True  # a glyph touching the bottom edge, 12 px of its 30 px width shown
    tile = _OcrTile(0, (0, 100), img, (100, 60, 200, 100), "bottom", ink[0].copy(), ink)
    assert not _char_straddles(tile, (120, 70, 150, 95), "名")  # inside the filled box
    assert not _char_straddles(tile, (200, 70, 230, 112), "志")  # beside it on the same line
    assert _char_straddles(tile, (110, 100, 140, 112), "名")  # below the edge, touching, half shown
    whole = ink.copy()
    whole[0:30, 110:140] = True  # a whole glyph of the next line that touches the edge
    assert not _char_straddles(_OcrTile(0, (0, 100), img, (100, 60, 200, 100), "bottom", whole[0].copy(), whole),
                               (110, 100, 140, 130), "名")

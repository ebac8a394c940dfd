"""Burn-in: pixels only, same kind out as in, native resolution, metadata gone, fail-closed apply."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from app.errors import CheckFailed, InputFileError, UsageError
from app.masking import apply_masks
from app.masking.boxes import Box, BoxSet, PageBoxes
from app.masking.burn import MCU, snap_rect
from app.masking.verify import _jpeg_segments
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


def _markers(data: bytes) -> set[int]:
    return {m for m, _, _ in _jpeg_segments(data)[0]}


def test_jpeg_in_jpeg_out_same_quality_no_metadata(tmp_path: Path) -> None:
    src = tmp_path / "scan.jpg"
    im = certificate_image()
    im.save(src, quality=85, exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00", comment=NAME.encode(),
            dpi=(200, 200))
    box = Box("name", 0.171, 0.205, 0.353, 0.223)
    res = apply_masks(src, BoxSet([PageBoxes(0, [box])]), tmp_path / "out.jpg", secrets=SECRETS, ocr=False)
    out = (tmp_path / "out.jpg").read_bytes()
    assert res.report and res.report.ok
    assert res.kind == "jpeg" and out[:3] == b"\xff\xd8\xff"
    assert not any(0xE0 <= m <= 0xEF or m == 0xFE for m in _markers(out))  # no JFIF/EXIF/COM at all
    assert NAME.encode() not in out and b"Exif" not in out
    assert len(out) <= 1.2 * src.stat().st_size
    # same quantisation tables → same quality
    assert Image.open(io.BytesIO(out)).quantization == Image.open(io.BytesIO(src.read_bytes())).quantization
    a = np.asarray(Image.open(io.BytesIO(src.read_bytes())).convert("RGB")).astype(int)
    b = np.asarray(Image.open(io.BytesIO(out)).convert("RGB")).astype(int)
    assert a.shape == b.shape  # native resolution
    left, top, right, bottom = snap_rect(box.to_pixels(a.shape[1], a.shape[0]), (a.shape[1], a.shape[0]), MCU)
    assert left % MCU == 0 and top % MCU == 0
    assert b[top + 2:bottom - 2, left + 2:right - 2].max() <= 6  # black, flat
    outside = np.ones(a.shape[:2], bool)
    outside[max(0, top - 16):bottom + 16, max(0, left - 16):right + 16] = False
    err = np.abs(a - b)[outside]
    assert err.mean() < 1.5  # re-encoded with the same tables: visually identical outside the box


def test_png_in_png_out_lossless_outside(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    im = certificate_image(size=(600, 800), seal=False)
    im.save(src)
    box = Box("unit", 0.2, 0.25, 0.6, 0.28)
    apply_masks(src, BoxSet([PageBoxes(0, [box])]), tmp_path / "o.png", secrets=SECRETS, ocr=False)
    a = np.asarray(im).astype(int)
    b = np.asarray(Image.open(io.BytesIO((tmp_path / "o.png").read_bytes())).convert("RGB")).astype(int)
    lft, t, r, bt = box.to_pixels(600, 800)
    assert (b[t:bt, lft:r] == 0).all()
    b[t:bt, lft:r] = a[t:bt, lft:r]
    assert (a == b).all()


def test_text_pdf_becomes_image_only_pdf_at_200_dpi(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "t.pdf", pages=2, extras=True, incremental=True)
    boxes = BoxSet([PageBoxes(i, [Box("name", 0.1, 0.09, 0.5, 0.13), Box("unit", 0.1, 0.13, 0.6, 0.165)]
                              # page 1's form field shows the unit: printed, so it needs its own box (#13)
                              + ([Box("unit", 0.1, 0.47, 0.55, 0.505)] if i == 0 else []))
                    for i in range(2)])
    res = apply_masks(src, boxes, tmp_path / "o.pdf", secrets=SECRETS, ocr=False)
    assert res.page_origins == ["pdf-render", "pdf-render"]
    data = (tmp_path / "o.pdf").read_bytes()
    assert data.count(b"%%EOF") == 1 and b"/Prev" not in data
    for token in (b"/Info", b"/Metadata", b"/Annots", b"/EmbeddedFiles", b"/JavaScript", b"/AcroForm", b"/Font",
                  b"/OpenAction", b"Producer"):
        assert token not in data
    with pymupdf.open(tmp_path / "o.pdf") as doc:
        assert doc.page_count == 2
        for page in doc:
            assert page.get_text().strip() == ""
            (img,) = page.get_images(full=True)
            assert img[2] / (page.rect.width / 72) >= 199  # ≥ 200 dpi
            assert abs(page.rect.width - 595) < 0.01


def test_scanned_pdf_keeps_native_jpeg_resolution(tmp_path: Path) -> None:
    pages = [certificate_image(size=(1240, 1754)), certificate_image(size=(1240, 1754), seal=False)]
    src = scan_pdf(tmp_path / "scan.pdf", pages, quality=80)
    boxes = BoxSet([PageBoxes(0, [Box("seal", 0.55, 0.32, 0.8, 0.5)])])
    res = apply_masks(src, boxes, tmp_path / "o.pdf", secrets=SECRETS, ocr=False)
    assert res.page_origins == ["pdf-jpeg", "pdf-jpeg"]
    assert res.output_bytes <= 1.2 * res.input_bytes
    with pymupdf.open(tmp_path / "o.pdf") as doc:
        for page in doc:
            (img,) = page.get_images(full=True)
            assert (img[2], img[3]) == (1240, 1754)
            assert img[8] == "DCTDecode"


def test_fill_colour_is_used(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    Image.new("RGB", (100, 100), (255, 255, 255)).save(src)
    apply_masks(src, BoxSet([PageBoxes(0, [Box("other", 0.1, 0.1, 0.5, 0.5)])]), tmp_path / "o.png",
                fill=(255, 0, 0), ocr=False)
    assert Image.open(io.BytesIO((tmp_path / "o.png").read_bytes())).convert("RGB").getpixel((20, 20)) == (255, 0, 0)


def test_output_kind_must_match_input(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(jpeg_bytes(Image.new("RGB", (64, 64), (200, 200, 200))))
    with pytest.raises(UsageError, match="JPEG"):
        apply_masks(src, BoxSet(), tmp_path / "o.pdf")
    with pytest.raises(UsageError, match="原件"):
        apply_masks(src, BoxSet(), src)
    assert not (tmp_path / "o.pdf").exists()


def test_boxes_beyond_the_last_page(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(jpeg_bytes(Image.new("RGB", (64, 64))))
    with pytest.raises(InputFileError, match="第 3 页"):
        apply_masks(src, BoxSet([PageBoxes(2, [Box("name", 0.1, 0.1, 0.2, 0.2)])]), tmp_path / "o.jpg")


@pytest.mark.parametrize("payload", [b"", b"%PDF-1.4 garbage", b"\xff\xd8\xff\xe0 broken jpeg"])
def test_unreadable_input_gives_chinese_error(tmp_path: Path, payload: bytes) -> None:
    src = tmp_path / ("bad.pdf" if payload.startswith(b"%PDF") else "bad.jpg")
    src.write_bytes(payload)
    with pytest.raises(InputFileError):
        apply_masks(src, BoxSet(), tmp_path / ("o.pdf" if src.suffix == ".pdf" else "o.jpg"))
    assert list(tmp_path.iterdir()) == [src]


def test_missing_input(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="找不到文件"):
        apply_masks(tmp_path / "none.jpg", BoxSet(), tmp_path / "o.jpg")


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page()
    doc.save(tmp_path / "e.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(InputFileError, match="加密"):
        apply_masks(tmp_path / "e.pdf", BoxSet(), tmp_path / "o.pdf")


def test_broken_burner_is_caught_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberately broken masker (forgets the boxes, keeps the EXIF) behind apply_masks: verification
    fails, CheckFailed says which check, and OUT does not exist."""
    import app.masking.burn as burn

    src = tmp_path / "scan.jpg"
    certificate_image(size=(827, 1170)).save(src, quality=85, comment=ID_NUMBER.encode())

    def broken(data, boxes, **kw):  # type: ignore[no-untyped-def]
        return data, "jpeg", ["jpeg"]

    monkeypatch.setattr(burn, "burn_to_bytes", broken)
    with pytest.raises(CheckFailed) as info:
        apply_masks(src, BoxSet([PageBoxes(0, [Box("name", 0.15, 0.2, 0.45, 0.235)])]), tmp_path / "o.jpg",
                    secrets=[ID_NUMBER], ocr=False)
    failed = {c.name for c in info.value.report.failed()}  # type: ignore[attr-defined]
    assert {"boxes_filled", "no_metadata", "no_secrets", "no_original_images"} <= failed
    assert "第 1 页" in info.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan.jpg"]  # no OUT, no temp file left


def test_progress_reports_pages(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "t.pdf", pages=3)
    seen: list[tuple[int, int]] = []
    apply_masks(src, BoxSet(), tmp_path / "o.pdf", ocr=False, progress=lambda d, t, m="": seen.append((d, t)))
    assert (0, 3) in seen and (2, 3) in seen and (3, 3) in seen


def test_pages_burned_in_parallel_give_the_same_file_as_one_by_one() -> None:
    from app.masking.burn import burn_to_bytes
    from tests.fixtures.docs import gen

    data = gen.scanned_pdf(7, dpi=100, seed=4)
    boxes = BoxSet([PageBoxes(i, [Box("name", 0.1, 0.1 + i * 0.05, 0.5, 0.2 + i * 0.05, 1.0, "manual")])
                    for i in range(7)])
    serial, kind, origins = burn_to_bytes(data, boxes, workers=1)
    parallel, kind2, origins2 = burn_to_bytes(data, boxes, workers=3)
    assert kind == kind2 == "pdf" and origins == origins2 and len(origins) == 7
    assert parallel == serial  # same pages, same order, same bytes

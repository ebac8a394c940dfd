"""Upload-limit compressor: meets the limit at ≥ 150 dpi, says so when it cannot; photo size."""

from __future__ import annotations

import io
from pathlib import Path

import pymupdf
from PIL import Image

from app.documents.compress import compress_pages, compress_photo
from app.settings import UploadLimits
from tests.fixtures.docs import gen


def test_scan_fits_the_limit_at_legible_resolution() -> None:
    page = gen.text_page((1654, 2339), seed=1).convert("RGB")  # A4 at 200 dpi
    r = compress_pages([page], dpi=200, limits=UploadLimits(max_file_kb=150))
    assert r.ok and r.fmt == "jpg" and r.size <= 150 * 1024 and len(r.data) == r.size
    assert r.dpi is not None and 150 <= r.dpi < 200  # had to downscale, but not below the floor
    out = Image.open(io.BytesIO(r.data))
    assert out.format == "JPEG" and out.width >= round(8.27 * 150) - 1
    assert "已压缩" in r.message and "dpi" in r.message


def test_easy_file_keeps_full_quality() -> None:
    r = compress_pages([Image.new("RGB", (1240, 1754), "white")], dpi=150)
    assert r.ok and r.quality == 92 and r.dpi == 150


def test_several_pages_become_one_pdf_within_the_limit() -> None:
    pages = [gen.text_page((1654, 2339), seed=i) for i in range(3)]  # 200 dpi
    r = compress_pages(pages, dpi=200)  # default limit: 600 KB
    assert r.ok and r.fmt == "pdf" and r.size <= 600 * 1024
    with pymupdf.open(stream=r.data, filetype="pdf") as doc:
        assert doc.page_count == 3 and not doc[0].get_text().strip()
        assert abs(doc[0].rect.width - 595) < 3  # A4 width kept


def test_impossible_limit_is_reported_not_faked() -> None:
    noise = Image.effect_noise((1400, 1980), 120).convert("RGB")  # incompressible, A4 at ~170 dpi
    r = compress_pages([noise], dpi=170, limits=UploadLimits(max_file_kb=100, min_dpi=150))
    assert not r.ok and "无法" in r.message and "150 dpi" in r.message
    assert r.dpi is not None and r.dpi >= 149.5  # never went below the floor
    assert r.size > 100 * 1024


def test_photo_exact_size_and_limit(tmp_path: Path) -> None:
    im = Image.open(io.BytesIO(gen.jpeg((1200, 1600), (90, 140, 220))))
    r = compress_photo(im)
    out = Image.open(io.BytesIO(r.data))
    assert r.ok and out.size == (295, 413) and r.size <= 300 * 1024
    wide = compress_photo(Image.new("RGB", (2000, 500), "red"), limits=UploadLimits(photo_max_kb=5))
    assert Image.open(io.BytesIO(wide.data)).size == (295, 413)

"""Upload-limit compressor: make a page set fit the platform's limits (settings.UploadLimits) while
keeping text legible.

Strategy, per output file: JPEG quality search (binary search between ``MIN_QUALITY`` and 92) at the
current resolution; when even the lowest quality is too large, downscale by steps of 15 % — but never
below ``limits.min_dpi`` (150 dpi by default). Several pages become one PDF of JPEG pages (every page
at the same quality and resolution). When nothing fits, the result says so (``ok=False``) with a
Chinese message and carries the smallest attempt, so the officer can decide (e.g. split the file).

Resolution of an image without dpi metadata is estimated by assuming its longer side is an A4 page
(297 mm) — an assumption for scans; photographs of ID cards etc. usually have more pixels than that.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app.settings import UploadLimits

MIN_QUALITY = 35
MAX_QUALITY = 92
A4_LONG_IN = 297 / 25.4


@dataclass
class CompressResult:
    data: bytes
    fmt: str  # "jpg" | "pdf"
    ok: bool
    size: int
    limit: int
    quality: int
    dpi: float | None
    pages: int
    message: str  # Chinese
    path: Path | None = None  # where it was written (export_for_upload), its suffix matching ``fmt``


def estimated_dpi(im: Image.Image, dpi: float | None) -> float:
    if dpi:
        return float(dpi)
    return max(im.size) / A4_LONG_IN


def _jpeg(im: Image.Image, quality: int, optimize: bool = True) -> bytes:
    buf = io.BytesIO()
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    # comment=b"": Pillow would otherwise copy the source's JPEG comment (COM) into the output
    im.save(buf, "JPEG", quality=quality, optimize=optimize, progressive=False, comment=b"")
    return buf.getvalue()


def _pdf(jpegs: Sequence[tuple[bytes, int, int]], dpi: float) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for data, w, h in jpegs:
        page = doc.new_page(width=w / dpi * 72, height=h / dpi * 72)
        page.insert_image(page.rect, stream=data)
    out = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return out


def _scaled(images: Sequence[Image.Image], scale: float) -> list[Image.Image]:
    if scale >= 0.999:
        return list(images)
    return [im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                      Image.Resampling.LANCZOS) for im in images]


def _encode(images: Sequence[Image.Image], quality: int, as_pdf: bool, dpi: float, optimize: bool = False) -> bytes:
    """The search encodes without Huffman optimisation (twice as fast); the final file is encoded
    with it, which only makes it smaller, so a fit stays a fit."""
    jpegs = [(_jpeg(im, quality, optimize), im.width, im.height) for im in images]
    if as_pdf:
        return _pdf(jpegs, dpi)
    return jpegs[0][0]


def compress_pages(images: Sequence[Image.Image], *, dpi: float | None = None, limits: UploadLimits | None = None,
                   as_pdf: bool | None = None) -> CompressResult:
    """Fit ``images`` (one file's pages, upright) into ``limits.max_file_kb``.

    ``as_pdf`` defaults to True for several pages (a JPEG holds one page only)."""
    limits = limits or UploadLimits()
    if not images:
        raise ValueError("no pages")
    as_pdf = len(images) > 1 if as_pdf is None else as_pdf
    if len(images) > 1 and not as_pdf:
        raise ValueError("several pages need a PDF")
    limit = limits.max_file_kb * 1024
    src_dpi = estimated_dpi(images[0], dpi)
    min_dpi = float(limits.min_dpi)
    scale = 1.0
    best: tuple[bytes, int, float] | None = None
    while True:
        cur_dpi = src_dpi * scale
        imgs = _scaled(images, scale)
        lo, hi = MIN_QUALITY, MAX_QUALITY
        data_hi = _encode(imgs, hi, as_pdf, cur_dpi)
        if len(data_hi) <= limit:
            return _result(_encode(imgs, hi, as_pdf, cur_dpi, True), as_pdf, True, limit, hi, cur_dpi, len(images),
                           scale)
        data_lo = _encode(imgs, lo, as_pdf, cur_dpi)
        if best is None or len(data_lo) < len(best[0]):
            best = (data_lo, lo, cur_dpi)
        if len(data_lo) <= limit:
            fit = data_lo
            fit_q = lo
            while hi - lo > 4:  # binary search for the highest quality that fits
                mid = (lo + hi) // 2
                d = _encode(imgs, mid, as_pdf, cur_dpi)
                if len(d) <= limit:
                    lo, fit, fit_q = mid, d, mid
                else:
                    hi = mid
            final = _encode(imgs, fit_q, as_pdf, cur_dpi, True)
            return _result(final if len(final) <= len(fit) else fit, as_pdf, True, limit, fit_q, cur_dpi,
                           len(images), scale)
        # JPEG size grows roughly with the pixel count: jump near the scale that fits, then step.
        predicted = scale * (limit / len(data_lo)) ** 0.5 * 0.97
        next_scale = min(scale * 0.85, max(predicted, scale * 0.5))
        if src_dpi * next_scale < min_dpi:
            if scale > min_dpi / src_dpi + 1e-6 and min_dpi < src_dpi:
                scale = min_dpi / src_dpi  # one last try exactly at the floor
                continue
            break
        scale = next_scale
    assert best is not None
    data, q, best_dpi = best
    fmt = "PDF" if as_pdf else "JPG"
    msg = (f"无法在保持 {limits.min_dpi} dpi 清晰度的前提下压缩到 {limits.max_file_kb} KB 以内"
           f"（最小只能到 {len(data) // 1024} KB，{fmt}，质量 {q}，约 {best_dpi:.0f} dpi）。"
           "建议分成多个文件上传，或以较低分辨率/黑白模式重新扫描。")
    return CompressResult(data, "pdf" if as_pdf else "jpg", False, len(data), limit, q, best_dpi, len(images), msg)


def _result(data: bytes, as_pdf: bool, ok: bool, limit: int, quality: int, dpi: float, pages: int,
            scale: float) -> CompressResult:
    note = "" if scale >= 0.999 else f"，已缩小到约 {dpi:.0f} dpi"
    msg = f"已压缩到 {len(data) // 1024} KB（上限 {limit // 1024} KB，JPEG 质量 {quality}{note}）"
    return CompressResult(data, "pdf" if as_pdf else "jpg", ok, len(data), limit, quality, dpi, pages, msg)


def compress_photo(im: Image.Image, *, limits: UploadLimits | None = None) -> CompressResult:
    """The 一寸照 for the certificate: centre-cropped to the aspect of, then resized to, exactly
    ``photo_width_px × photo_height_px``; JPEG ≤ ``photo_max_kb``. Never masked."""
    limits = limits or UploadLimits()
    w, h = limits.photo_width_px, limits.photo_height_px
    im = im.convert("RGB")
    target_ratio = w / h
    ratio = im.width / im.height
    if ratio > target_ratio:  # too wide: crop the sides
        new_w = round(im.height * target_ratio)
        x0 = (im.width - new_w) // 2
        im = im.crop((x0, 0, x0 + new_w, im.height))
    elif ratio < target_ratio:  # too tall: crop top and bottom evenly
        new_h = round(im.width / target_ratio)
        y0 = (im.height - new_h) // 2
        im = im.crop((0, y0, im.width, y0 + new_h))
    im = im.resize((w, h), Image.Resampling.LANCZOS)
    limit = limits.photo_max_kb * 1024
    for q in (95, 90, 85, 80, 70, 60, 50, 40, 30):
        data = _jpeg(im, q)
        if len(data) <= limit:
            return CompressResult(data, "jpg", True, len(data), limit, q, None, 1,
                                  f"照片已调整为 {w}×{h} 像素，{len(data) // 1024} KB（质量 {q}）")
    return CompressResult(data, "jpg", False, len(data), limit, q, None, 1,
                          f"照片无法压缩到 {limits.photo_max_kb} KB 以内")

"""Rendering stored pages to pixels (with the page's rotation applied) and thumbnails.

Works from plain values (``PageRef``) so it can run on a worker thread or in a process pool without
a database session.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from app.documents.ingest import MAX_PIXELS, normalize_image
from app.documents.vault import Vault
from app.errors import InputFileError

# PIL's transpose for a clockwise rotation of the page.
_CW = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


@dataclass(frozen=True)
class PageRef:
    blob_sha: str
    kind: str  # jpeg | png | pdf-page
    source_page: int = 0
    rotation: int = 0
    dpi: int | None = None
    width_px: int = 0
    height_px: int = 0

    @classmethod
    def of(cls, page: Any) -> PageRef:
        return cls(page.blob_sha, page.kind, getattr(page, "source_page", 0) or 0,
                   getattr(page, "rotation", 0) or 0, getattr(page, "dpi", None),
                   getattr(page, "width_px", 0) or 0, getattr(page, "height_px", 0) or 0)


def rotate_cw(im: Image.Image, degrees: int) -> Image.Image:
    d = degrees % 360
    return im.transpose(_CW[d]) if d else im


def render(vault: Vault, ref: PageRef, *, dpi: float | None = None, max_px: int | None = None,
           data: bytes | None = None) -> Image.Image:
    """The page as an 8-bit image (mode L/RGB/1), rotation applied.

    ``dpi`` renders PDFs at that resolution (images: downscaled to it when they have more);
    ``max_px`` bounds the longer side (thumbnails). Neither → native resolution.
    """
    blob = data if data is not None else vault.read_bytes(ref.blob_sha)
    if ref.kind == "pdf-page":
        im = _render_pdf_page(blob, ref, dpi=dpi, max_px=max_px)
    else:
        im = Image.open(io.BytesIO(blob))
        if max_px is not None and ref.kind == "jpeg":
            im.draft("RGB" if im.mode == "RGB" else "L", (max_px, max_px))  # fast DCT downscale
        im = normalize_image(im)
        im.load()
        scale = 1.0
        if dpi and ref.dpi and dpi < ref.dpi:
            scale = dpi / ref.dpi
        if max_px is not None:
            scale = min(scale, max_px / max(im.size))
        if scale < 1.0:
            if im.mode == "1":
                im = im.convert("L")
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                           Image.Resampling.LANCZOS if max_px is None else Image.Resampling.BILINEAR)
    return rotate_cw(im, ref.rotation)


def _render_pdf_page(blob: bytes, ref: PageRef, *, dpi: float | None, max_px: int | None) -> Image.Image:
    import pymupdf

    with pymupdf.open(stream=blob, filetype="pdf") as doc:
        page = doc.load_page(ref.source_page)
        rect = page.rect
        zoom = (dpi or ref.dpi or 150) / 72
        if max_px is not None:
            zoom = min(zoom, max_px / max(rect.width, rect.height))
        if rect.width * rect.height * zoom * zoom > MAX_PIXELS:
            raise InputFileError("页面渲染尺寸过大")
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False,
                              colorspace=pymupdf.csRGB)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)


def thumbnail_png(vault: Vault, ref: PageRef, max_px: int = 256, *, data: bytes | None = None) -> bytes:
    im = render(vault, ref, max_px=max_px, data=data)
    buf = io.BytesIO()
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    im.save(buf, "PNG", compress_level=1)
    return buf.getvalue()

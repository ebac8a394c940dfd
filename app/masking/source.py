"""Reading input documents as page images (used by burn-in and suggestions, never by verification).

A page comes from one of:
- an image file (JPEG, PNG, TIFF, BMP, WebP): the image itself, EXIF orientation applied;
- a PDF page that is one upright full-page JPEG scan and nothing else: that JPEG at native resolution
  (its quantisation tables kept so re-encoding stays at the same quality);
- any other PDF page: rendered at ≥ 200 dpi (native resolution of its largest image if higher,
  capped at 400 dpi).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from app.errors import InputFileError
from app.fileio import MAX_DOCUMENT_BYTES, MAX_PDF_PAGES, read_user_file

MIN_DPI = 200
MAX_DPI = 400
MAX_PIXELS = 120_000_000  # refuse absurd images instead of running out of memory

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass
class SourcePage:
    index: int
    image: Image.Image  # mode "RGB" or "L"
    page_size_pt: tuple[float, float] | None = None  # PDF pages only
    qtables: Any = None  # JPEG quantisation tables of the source, when the page was a JPEG
    subsampling: int | None = None  # PIL's code: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0
    origin: str = "image"  # "jpeg" | "image" | "pdf-jpeg" | "pdf-render"
    extra: dict[str, Any] = field(default_factory=dict)


def sniff_kind(data: bytes) -> str:
    """'pdf', 'jpeg', 'png' or 'image' (other raster formats Pillow reads)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    return "image"


def read_input(path: str | Path) -> bytes:
    p = Path(path)
    data = read_user_file(p, MAX_DOCUMENT_BYTES, what="文件")
    if not data:
        raise InputFileError(f"文件为空：{p}")
    return data


def _normalise(im: Image.Image) -> Image.Image:
    if im.mode in ("RGB", "L"):
        return im
    if im.mode in ("1", "I", "I;16", "F"):
        return im.convert("L")
    if im.mode in ("RGBA", "LA", "P", "PA"):
        rgba = im.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    return im.convert("RGB")  # CMYK, YCbCr, LAB …


def _too_large(name: str, size: tuple[int, int] | None = None) -> InputFileError:
    dims = f"（{size[0]}×{size[1]} 像素）" if size else ""
    return InputFileError(f"图片尺寸过大{dims}，超过 {MAX_PIXELS // 1_000_000} 百万像素的安全上限，"
                          f"可能是异常文件：{name}。请以 300 dpi 左右重新扫描")


def open_image_bytes(data: bytes, name: str = "") -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # corrupt EXIF etc. must not abort (tests run with -W error)
            im = Image.open(io.BytesIO(data))
            if im.width * im.height > MAX_PIXELS:
                raise _too_large(name, (im.width, im.height))
            if getattr(im, "n_frames", 1) > 1:
                raise InputFileError(f"多页图片暂不支持，请先转换为 PDF：{name}")
            im.load()
    except InputFileError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own limit (MAX_IMAGE_PIXELS × 2)
        raise _too_large(name) from exc
    except Exception as exc:
        raise InputFileError(f"无法识别的图片文件（已损坏或格式不支持）：{name}", detail=repr(exc)) from exc
    return im


def _page_from_image(data: bytes, name: str, *, apply_exif: bool = True) -> SourcePage:
    im = open_image_bytes(data, name)
    is_jpeg = im.format == "JPEG"
    qtables = getattr(im, "quantization", None) if is_jpeg else None
    subsampling = None
    if is_jpeg:
        from PIL import JpegImagePlugin

        subsampling = JpegImagePlugin.get_sampling(im)
        if subsampling not in (0, 1, 2):
            subsampling = 2
    if apply_exif:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            transposed = ImageOps.exif_transpose(im)
        if transposed is not None:
            im = transposed
    out = _normalise(im)
    if is_jpeg and out.mode == "RGB" and im.mode != "RGB":
        qtables = None  # CMYK etc.: tables do not fit the new colour layout
    return SourcePage(0, out, None, qtables, subsampling, "jpeg" if is_jpeg else "image", {"src_mode": im.mode})


def iter_pages(data: bytes, name: str = "", *, render_dpi: int | None = None) -> Iterator[SourcePage]:
    """Yield the pages of an input document. ``render_dpi`` forces rendering PDFs at that dpi."""
    kind = sniff_kind(data)
    if kind != "pdf":
        yield _page_from_image(data, name)
        return
    yield from _iter_pdf_pages(data, name, render_dpi=render_dpi)


def open_pdf(data: bytes, name: str = ""):
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise InputFileError(f"无法打开 PDF（已损坏或不是 PDF）：{name}", detail=repr(exc)) from exc
    if doc.needs_pass:
        doc.close()
        raise InputFileError(f"PDF 已加密，请先去除密码：{name}")
    if doc.page_count == 0:
        doc.close()
        raise InputFileError(f"PDF 没有页面：{name}")
    if doc.page_count > MAX_PDF_PAGES:
        n = doc.page_count
        doc.close()
        raise InputFileError(f"PDF 有 {n} 页，超过 {MAX_PDF_PAGES} 页的上限：{name}。请拆分后再处理")
    return doc


def page_count(data: bytes, name: str = "") -> int:
    if sniff_kind(data) != "pdf":
        return 1
    doc = open_pdf(data, name)
    try:
        return int(doc.page_count)
    finally:
        doc.close()


def _native_jpeg(doc: Any, page: Any) -> bytes | None:
    """The page's JPEG if the page is exactly one upright, full-page, plain JPEG and nothing else."""
    if page.rotation % 360 != 0:
        return None
    if page.first_annot is not None or page.first_widget is not None:
        return None  # annotations and form fields show on a printout: render them into the pixels
    images = page.get_images(full=True)
    if len(images) != 1:
        return None
    xref, smask, _w, _h, bpc, cs, _alt, _name, filt, _ = images[0]
    if smask or filt != "DCTDecode" or bpc != 8 or cs not in ("DeviceRGB", "DeviceGray", "ICCBased"):
        return None
    if page.get_text("text").strip() or page.get_drawings():
        return None
    obj = doc.xref_object(xref)
    if "/Decode" in obj or "/Mask" in obj:
        return None
    # every image drawing on the page, without hashing the pixels (get_image_rects decodes and hashes
    # the image to find it: 0.2 s of a 200 dpi page, most of the burn-in's time)
    drawn = page.get_image_info()
    if len(drawn) != 1:
        return None
    import pymupdf

    rect, m = pymupdf.Rect(drawn[0]["bbox"]), pymupdf.Matrix(drawn[0]["transform"])
    pr = page.rect
    if abs(m.b) > 1e-3 or abs(m.c) > 1e-3 or m.a <= 0 or m.d <= 0:
        return None
    tol = 0.5
    if (abs(rect.x0 - pr.x0) > tol or abs(rect.y0 - pr.y0) > tol or abs(rect.x1 - pr.x1) > tol
            or abs(rect.y1 - pr.y1) > tol):
        return None
    return bytes(doc.xref_stream_raw(xref))


def _render_dpi(page: Any) -> int:
    dpi = MIN_DPI
    for img in page.get_images(full=True):
        xref, w = img[0], img[2]
        try:
            rects = page.get_image_rects(xref)
        except Exception:
            continue
        for r in rects:
            if r.width > 1:
                dpi = max(dpi, int(w / (r.width / 72.0)))
    return min(dpi, MAX_DPI)


def _iter_pdf_pages(data: bytes, name: str, *, render_dpi: int | None) -> Iterator[SourcePage]:
    import pymupdf

    doc = open_pdf(data, name)
    try:
        for i, page in enumerate(doc):
            size = (float(page.rect.width), float(page.rect.height))
            jpeg = None if render_dpi else _native_jpeg(doc, page)
            if jpeg is not None:
                # PDF viewers ignore the scan's own EXIF orientation, so do we
                sp = _page_from_image(jpeg, f"{name} 第 {i + 1} 页", apply_exif=False)
                if sp.extra["src_mode"] in ("RGB", "L"):  # CMYK/Adobe-inverted JPEGs: render instead
                    sp.index, sp.page_size_pt, sp.origin = i, size, "pdf-jpeg"
                    yield sp
                    continue
            dpi = render_dpi or _render_dpi(page)
            w_px, h_px = size[0] / 72 * dpi, size[1] / 72 * dpi
            if w_px * h_px > MAX_PIXELS:
                raise _too_large(f"{name} 第 {i + 1} 页", (round(w_px), round(h_px)))
            try:
                pix = page.get_pixmap(dpi=dpi, alpha=False, annots=True, colorspace=pymupdf.csRGB)
            except Exception as exc:
                raise InputFileError(f"无法渲染 PDF 第 {i + 1} 页：{name}", detail=repr(exc)) from exc
            im = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            yield SourcePage(i, im, size, None, None, "pdf-render", {"dpi": dpi})
    finally:
        doc.close()

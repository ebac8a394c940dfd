"""Ingest: turn a file the officer gives us (PDF, JPEG, PNG, TIFF, BMP, GIF, WebP; docx for the
工作小结) into pages ready for the vault — without touching the vault or the database.

``ingest_bytes`` validates *everything* first (magic bytes, full decode, pixel limit, PDF password)
and returns an ``IngestedFile`` holding the blobs to store. Callers store the blobs only after every
file of a batch was accepted, so a bad file leaves the vault and the database unchanged.

Pages:
- PDF → one ``pdf-page`` per page, referencing the PDF blob (the original, or a decrypted copy when
  the officer gave the password); size in px at the page's scan resolution (or 150 dpi for text).
- A JPEG that is plain RGB/grey and upright → the original bytes are the page (no re-encoding).
- Anything else (EXIF-rotated, CMYK, 16-bit, alpha, palette, TIFF frames, BMP …) → a normalised
  page: EXIF orientation applied, alpha composited on white, 16-bit scaled to 8-bit, CMYK → RGB;
  stored as JPEG when the source was JPEG, else as PNG (lossless).

HEIC/HEIF (iPhone photos) is refused with a clear message: the maintained Python plug-in
(pillow-heif) ships an HEVC encoder under GPL in its wheels, which does not fit our licences.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import InputFileError
from app.fileio import MAX_DOCUMENT_BYTES, MAX_PDF_PAGES, check_zip_bounds, read_user_file

# Our own pixel limit per image frame (Pillow's default warns at ~89 MP). An A3 scan at 600 dpi is
# ~70 MP; anything beyond 100 MP is treated as a decompression bomb.
MAX_PIXELS = 100_000_000
MAX_FILE_BYTES = MAX_DOCUMENT_BYTES
MAX_FRAMES = MAX_PDF_PAGES
TEXT_PDF_DPI = 150

KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "tiff": "TIFF", "bmp": "BMP", "gif": "GIF",
               "webp": "WebP", "docx": "Word 文档"}
_EXT_KIND = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".png": "png", ".tif": "tiff",
             ".tiff": "tiff", ".bmp": "bmp", ".gif": "gif", ".webp": "webp", ".docx": "docx",
             ".heic": "heic", ".heif": "heic"}


class PasswordRequired(InputFileError):
    """The PDF is protected by a password: ask for it (UI) or tell the officer to give it (CLI)."""


@dataclass
class IngestedPage:
    kind: str  # jpeg | png | pdf-page
    blob: bytes | None  # None → the page is (a page of) the file's stored source blob
    source_page: int
    width_px: int
    height_px: int
    dpi: int | None


@dataclass
class IngestedFile:
    name: str
    source_kind: str  # pdf | jpeg | png | tiff | bmp | gif | webp | docx
    source: bytes  # what goes into the vault as the document's source
    pages: list[IngestedPage]
    text: str = ""  # text layer (PDF) or body text (docx), for the 工作小结 word count
    warnings: list[str] = field(default_factory=list)


def sniff(data: bytes) -> str | None:
    """The file type from its first bytes, or None."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM") and len(data) > 26:
        return "bmp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"):
        return "heic"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


def ingest_path(path: str | Path, *, password: str | None = None) -> IngestedFile:
    p = Path(path)
    data = read_user_file(p, MAX_FILE_BYTES, what="文件")
    return ingest_bytes(data, p.name, password=password)


def ingest_bytes(data: bytes, name: str, *, password: str | None = None) -> IngestedFile:
    if not data:
        raise InputFileError(f"文件“{name}”是空文件（0 字节），请重新扫描或导出")
    kind = sniff(data)
    ext = Path(name).suffix.lower()
    claimed = _EXT_KIND.get(ext)
    if kind == "heic" or (kind is None and claimed == "heic"):
        raise InputFileError(
            f"文件“{name}”是 HEIC/HEIF 格式（苹果手机照片），本程序暂不支持。"
            "请在手机“设置 → 相机 → 格式”中选择“兼容性最佳”后重拍，或先将照片导出为 JPEG。")
    if kind is None:
        if claimed:
            raise InputFileError(
                f"文件“{name}”的扩展名是 {ext}，但内容不是 {KIND_LABELS.get(claimed, claimed)} 文件"
                "（文件可能已损坏，或被改了扩展名）")
        raise InputFileError(f"无法识别文件“{name}”的类型。支持 PDF、JPEG、PNG、TIFF、BMP（工作小结另可用 Word docx）")
    warns: list[str] = []
    if claimed and claimed != kind:
        warns.append(f"文件“{name}”的扩展名是 {ext}，实际内容是 {KIND_LABELS[kind]}，已按 {KIND_LABELS[kind]} 处理")
    if kind == "pdf":
        out = _ingest_pdf(data, name, password)
    elif kind == "docx":
        out = _ingest_docx(data, name)
    else:
        out = _ingest_image(data, name, kind)
    out.warnings[:0] = warns
    return out


# --- images ----------------------------------------------------------------------------------

def _bomb_error(name: str, size: tuple[int, int] | None = None) -> InputFileError:
    dims = f"（{size[0]}×{size[1]} 像素）" if size else ""
    return InputFileError(
        f"图片“{name}”尺寸过大{dims}，超过 {MAX_PIXELS // 1_000_000} 百万像素的安全上限，"
        "可能是异常文件。请以 300 dpi 左右重新扫描。")


def _open_image(data: bytes, name: str, kind: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _bomb_error(name) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InputFileError(f"无法打开图片“{name}”：文件已损坏或格式不受支持", detail=repr(exc)) from exc
    return im


def _load_frame(im: Image.Image, name: str) -> None:
    w, h = im.size
    if w * h > MAX_PIXELS:
        raise _bomb_error(name, (w, h))
    if w < 1 or h < 1:
        raise InputFileError(f"图片“{name}”尺寸无效")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _bomb_error(name, (w, h)) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        msg = str(exc)
        if "truncated" in msg or "broken" in msg or isinstance(exc, EOFError):
            raise InputFileError(f"图片“{name}”不完整（文件被截断），请重新扫描或重新复制", detail=msg) from exc
        raise InputFileError(f"图片“{name}”已损坏，无法解码", detail=msg) from exc


def _image_dpi(im: Image.Image) -> int | None:
    dpi = im.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else None
    except (TypeError, ValueError, IndexError):
        value = None
    if value is None or not 50 <= value <= 2400:
        return None
    return value


def normalize_image(im: Image.Image) -> Image.Image:
    """Upright (EXIF), 8-bit, no alpha: mode '1', 'L' or 'RGB'."""
    with contextlib.suppress(ValueError, TypeError, KeyError, OSError, SyntaxError):  # broken EXIF: keep as stored
        im = ImageOps.exif_transpose(im) or im
    mode = im.mode
    if mode in ("1", "L", "RGB"):
        return im
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im).astype(np.float64)
        if mode.startswith("I;16") or arr.max(initial=0) > 255:  # 16-bit samples → 8-bit
            arr = arr / 257.0
        arr = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L")
    if mode == "P" or mode == "PA":
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        out = Image.alpha_composite(white, rgba)
        return out.convert("L") if mode in ("LA", "La") else out.convert("RGB")
    return im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX …


def encode_page(im: Image.Image, *, prefer_jpeg: bool, quality: int = 92) -> tuple[str, bytes]:
    buf = io.BytesIO()
    if prefer_jpeg and im.mode in ("L", "RGB"):
        im.save(buf, "JPEG", quality=quality, optimize=True)
        return "jpeg", buf.getvalue()
    im.save(buf, "PNG", optimize=False, compress_level=6)
    return "png", buf.getvalue()


def _ingest_image(data: bytes, name: str, kind: str) -> IngestedFile:
    im = _open_image(data, name, kind)
    pages: list[IngestedPage] = []
    warns: list[str] = []
    n_frames = getattr(im, "n_frames", 1) if kind in ("tiff", "gif", "webp") else 1
    if n_frames > MAX_FRAMES:
        raise InputFileError(f"文件“{name}”有 {n_frames} 页，超过 {MAX_FRAMES} 页上限")
    for i in range(n_frames):
        if n_frames > 1:
            try:
                im.seek(i)
            except (EOFError, OSError) as exc:
                raise InputFileError(f"多页图片“{name}”第 {i + 1} 页已损坏或不完整") from exc
        _load_frame(im, name)
        dpi = _image_dpi(im)
        orientation = im.getexif().get(0x0112, 1) if kind == "jpeg" else 1
        if kind == "jpeg" and im.mode in ("RGB", "L") and orientation in (1, None):
            pages.append(IngestedPage("jpeg", None, 0, im.width, im.height, dpi))
            continue
        frame = normalize_image(im.copy() if n_frames > 1 else im)
        if kind == "jpeg" and orientation not in (1, None):
            warns.append(f"“{name}”按照片的方向信息（EXIF）已转正")
        if im.mode == "CMYK":
            warns.append(f"“{name}”是 CMYK 图片，已转换为 RGB")
        page_kind, blob = encode_page(frame, prefer_jpeg=kind == "jpeg")
        pages.append(IngestedPage(page_kind, blob, 0, frame.width, frame.height, dpi))
    return IngestedFile(name=name, source_kind=kind, source=data, pages=pages, warnings=warns)


# --- PDF -------------------------------------------------------------------------------------

def _ingest_pdf(data: bytes, name: str, password: str | None) -> IngestedFile:
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises FileDataError / RuntimeError
        raise InputFileError(f"PDF 文件“{name}”已损坏或不完整，无法打开。请重新导出或重新扫描。", detail=repr(exc)) from exc
    warns: list[str] = []
    try:
        if doc.needs_pass:
            if not password:
                raise PasswordRequired(f"PDF 文件“{name}”有密码保护。请输入打开密码，或先去除密码后再添加。")
            if not doc.authenticate(password):
                raise PasswordRequired(f"PDF 文件“{name}”的密码不正确")
        source = data
        if doc.is_encrypted or (doc.metadata or {}).get("encryption"):
            source = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_NONE, garbage=1)  # type: ignore[attr-defined]
            warns.append(f"“{name}”原有密码或权限保护，已存入去除保护后的副本")
        if doc.page_count == 0:
            raise InputFileError(f"PDF 文件“{name}”没有页面")
        if doc.page_count > MAX_FRAMES:
            raise InputFileError(f"PDF 文件“{name}”有 {doc.page_count} 页，超过 {MAX_FRAMES} 页上限")
        if doc.is_repaired:
            warns.append(f"PDF 文件“{name}”结构有损坏，已自动修复；请核对页数与内容")
        pages: list[IngestedPage] = []
        texts: list[str] = []
        for i in range(doc.page_count):
            try:
                page = doc.load_page(i)
                text = page.get_text("text")
                images = page.get_image_info() if not text.strip() else []
            except Exception as exc:
                raise InputFileError(f"PDF 文件“{name}”第 {i + 1} 页已损坏，无法读取", detail=repr(exc)) from exc
            texts.append(text)
            rect = page.rect  # upright page size in points (after /Rotate)
            if rect.width <= 0 or rect.height <= 0 or rect.width * rect.height > 14400.0 ** 2:
                raise InputFileError(f"PDF 文件“{name}”第 {i + 1} 页尺寸异常")
            dpi = _scan_dpi(page, images) if not text.strip() else None
            eff = dpi or TEXT_PDF_DPI
            w = round(rect.width / 72 * eff)
            h = round(rect.height / 72 * eff)
            if w * h > MAX_PIXELS:
                raise _bomb_error(name, (w, h))
            pages.append(IngestedPage("pdf-page", None, i, w, h, dpi))
        return IngestedFile(name=name, source_kind="pdf", source=source, pages=pages, text="\n".join(texts),
                            warnings=warns)
    finally:
        doc.close()


def _scan_dpi(page: Any, infos: list[dict]) -> int | None:
    """The resolution of a scanned page: its largest image's pixels over its placed size.
    (``get_image_info`` without hashes: no image is decoded.)"""
    best: int | None = None
    best_area = 0.0
    for info in infos:
        x0, y0, x1, y1 = info.get("bbox", (0, 0, 0, 0))
        w_pt, h_pt = abs(x1 - x0), abs(y1 - y0)
        if w_pt * h_pt > best_area and w_pt > 0 and h_pt > 0:
            best_area = w_pt * h_pt
            rotated = abs(info.get("transform", (1, 0, 0, 1))[1]) > abs(info.get("transform", (1, 0, 0, 1))[0])
            px = info.get("height", 0) if rotated else info.get("width", 0)
            best = round(px / (w_pt / 72))
    if best_area < 0.5 * page.rect.width * page.rect.height:
        return None
    return best if best and 50 <= best <= 2400 else None


# --- docx (工作小结 only) -------------------------------------------------------------------------

def _ingest_docx(data: bytes, name: str) -> IngestedFile:
    check_zip_bounds(data, name, what="Word 文件")
    try:
        import docx

        d = docx.Document(io.BytesIO(data))
        parts = [p.text for p in d.paragraphs]
        for table in d.tables:
            for row in table.rows:
                parts.extend(c.text for c in row.cells)
    except Exception as exc:
        raise InputFileError(f"Word 文件“{name}”已损坏或受密码保护，无法读取", detail=repr(exc)) from exc
    return IngestedFile(name=name, source_kind="docx", source=data, pages=[], text="\n".join(parts),
                        warnings=[f"“{name}”是 Word 文件：已统计字数；上传平台前需转为 PDF"])


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[’'\-.][A-Za-z0-9]+)*")


def count_words(text: str) -> int:
    """Chinese 字数 as officers count it: each 汉字 counts one, each Latin word or number counts one."""
    return len(_CJK.findall(text)) + len(_LATIN_WORD.findall(text))

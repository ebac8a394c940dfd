"""Fail-closed verification of a masked output — an independent code path from burn-in.

Nothing here calls app.masking.burn or app.masking.source: the output is re-read with its own
parsers (JPEG segments, PNG chunks, a PDF object whitelist via PyMuPDF's low-level xref API, raw
byte scans with zlib for orphaned streams) and decoded with OpenCV rather than Pillow.

Checks (each {name, ok, detail}; detail never quotes a secret or any masked text):
  readable            the output opens; page count matches the original and the boxes
  structure           only what burn-in writes: per page one full-page image, nothing else;
                      no data after the end of the file
  no_text             no extractable text, no fonts
  no_metadata         no Info/XMP/annotations/forms/attachments/JavaScript; no APP/COM segments
                      in JPEG; no ancillary text/EXIF/ICC chunks in PNG
  single_revision     one %%EOF, no /Prev (no incremental saves)
  no_original_images  no image stream (or file) identical to / same hash as one of the original's
  boxes_filled        every box is one uniform colour
  ocr_in_boxes        the OCR engine reads no character inside a box (when it is installed)
  no_secrets          no secret string in any object, stream (decompressed), metadata, name tree,
                      in UTF-8, UTF-16BE/LE, GB18030, PDF-escaped and hex forms
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import CheckFailed, UsageError
from app.masking.boxes import Box, BoxSet

CHECK_LABELS = {
    "readable": "可读取",
    "structure": "文件结构",
    "no_text": "无文字层",
    "no_metadata": "无元数据/附件/注释/脚本",
    "single_revision": "单一版本",
    "no_original_images": "不含原图",
    "boxes_filled": "遮盖框完全填充",
    "ocr_in_boxes": "框内无可识别文字",
    "no_secrets": "不含敏感字符串",
}
JPEG_TOLERANCE = 24  # max-min spread inside a box on a lossy page (flat blocks decode to ±1–2)
JPEG_INSET = 2  # px ignored at box edges of lossy pages (chroma upsampling bleed)
MIN_SHORT_FORM = 6  # shorter byte forms are not searched inside entropy-coded image data


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    pages: list[int] = field(default_factory=list)  # 0-based pages where it failed

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def get(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def summary(self) -> str:
        bad = self.failed()
        if not bad:
            return "全部检查通过"
        return "；".join(f"{CHECK_LABELS.get(c.name, c.name)}：{c.detail}" for c in bad)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [c.to_json() for c in self.checks]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


class MaskCheckFailed(CheckFailed):
    """Verification failed; ``report`` says which check failed on which page."""

    def __init__(self, report: VerifyReport) -> None:
        super().__init__(f"遮盖结果未通过校验，未写出文件：{report.summary()}", detail=report.dumps())
        self.report = report


# ---------------------------------------------------------------- secrets and their encodings

def _pdf_literal(b: bytes, *, all_octal: bool) -> bytes:
    out = bytearray()
    for c in b:
        if all_octal or c >= 0x80 or c < 0x20:
            out += b"\\%03o" % c
        elif c in b"()\\":
            out += b"\\" + bytes([c])
        else:
            out.append(c)
    return bytes(out)


def secret_forms(secret: str) -> list[bytes]:
    """Every byte form a secret may take in a PDF or image file."""
    variants = {secret, secret.replace(" ", ""), secret.replace("·", ""), secret.upper(), secret.lower()}
    forms: set[bytes] = set()
    for v in variants:
        if len(v) < 2:
            continue
        for enc in ("utf-8", "utf-16-be", "utf-16-le", "gb18030"):
            try:
                b = v.encode(enc)
            except UnicodeEncodeError:
                continue
            encoded = [b]
            if enc == "utf-16-be":
                encoded.append(b"\xfe\xff" + b)
            for e in encoded:
                forms.add(e)
                forms.add(e.hex().encode())
                forms.add(e.hex().upper().encode())
                forms.add(_pdf_literal(e, all_octal=False))
                forms.add(_pdf_literal(e, all_octal=True))
    return sorted(forms, key=len, reverse=True)


def validate_secrets(secrets: Iterable[str]) -> list[str]:
    out = []
    for s in secrets:
        s = (s or "").strip()
        if not s:
            continue
        if len(s) < 2:
            raise UsageError(f"敏感字符串至少需要 2 个字符：“{s}”")
        out.append(s)
    return out


class _SecretScanner:
    def __init__(self, secrets: Sequence[str]) -> None:
        self.secrets = list(secrets)
        self.forms = {s: secret_forms(s) for s in self.secrets}
        self.hits: dict[int, set[str]] = {}  # secret index → where

    def scan_bytes(self, data: bytes, where: str, *, image_data: bool = False) -> None:
        if not data:
            return
        for i, s in enumerate(self.secrets):
            for f in self.forms[s]:
                if image_data and len(f) < MIN_SHORT_FORM:
                    continue
                if f in data:
                    self.hits.setdefault(i, set()).add(where)
                    break

    def scan_text(self, text: str, where: str) -> None:
        if not text:
            return
        squeezed = re.sub(r"\s+", "", text)
        for i, s in enumerate(self.secrets):
            t = re.sub(r"\s+", "", s)
            if t in squeezed or t.lower() in squeezed.lower():
                self.hits.setdefault(i, set()).add(where)

    def check(self) -> Check:
        if not self.secrets:
            return Check("no_secrets", True, "未提供敏感字符串（仅做结构检查）")
        if not self.hits:
            return Check("no_secrets", True, f"已检查 {len(self.secrets)} 个敏感字符串的各种编码形式")
        parts = [f"第 {i + 1} 个敏感字符串出现在：{'、'.join(sorted(w)[:5])}" for i, w in sorted(self.hits.items())]
        return Check("no_secrets", False, "；".join(parts))


# ---------------------------------------------------------------- raster container parsers

def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, int, int]], bytes, int]:
    """[(marker, start, end)], entropy-coded scan bytes, offset just after EOI (or -1)."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("no SOI")
    segs: list[tuple[int, int, int]] = []
    scans = bytearray()
    i, n = 2, len(data)
    while i + 1 < n:
        if data[i] != 0xFF:
            raise ValueError(f"garbage at {i}")
        m = data[i + 1]
        if m == 0xFF:
            i += 1
            continue
        if m == 0xD9:
            return segs, bytes(scans), i + 2
        if 0xD0 <= m <= 0xD7 or m == 0x01:
            i += 2
            continue
        if i + 4 > n:
            raise ValueError("truncated segment")
        length = int.from_bytes(data[i + 2:i + 4], "big")
        end = i + 2 + length
        segs.append((m, i, end))
        if m == 0xDA:
            j = end
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= n:
                    raise ValueError("scan without end")
                nxt = data[j + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7:
                    j += 2
                    continue
                break
            scans += data[end:j]
            i = j
            continue
        i = end
    return segs, bytes(scans), -1


def _png_chunks(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not PNG")
    i, chunks = 8, []
    while i + 8 <= len(data):
        length = int.from_bytes(data[i:i + 4], "big")
        ctype = data[i + 4:i + 8]
        body = data[i + 8:i + 8 + length]
        chunks.append((ctype, body))
        i += 12 + length
        if ctype == b"IEND":
            return chunks, i
    raise ValueError("PNG without IEND")


PNG_ALLOWED = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD", b"pHYs"}


def _decode_cv(data: bytes) -> np.ndarray | None:
    import cv2

    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if arr is None:
        return None
    if arr.dtype != np.uint8:
        arr = (arr / 257).astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2RGB)
    elif arr.ndim == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGR2RGB)
    return arr


# ---------------------------------------------------------------- original's fingerprints

def _original_hashes(data: bytes) -> set[str]:
    hashes = {hashlib.sha256(data).hexdigest()}
    if data[:3] == b"\xff\xd8\xff":
        with contextlib.suppress(ValueError):
            hashes.add(hashlib.sha256(_jpeg_segments(data)[1]).hexdigest())
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        try:
            chunks, _ = _png_chunks(data)
            hashes.add(hashlib.sha256(b"".join(b for t, b in chunks if t == b"IDAT")).hexdigest())
        except ValueError:
            pass
    elif b"%PDF-" in data[:1024]:
        import pymupdf

        try:
            doc = pymupdf.open(stream=data, filetype="pdf")
        except Exception:
            return hashes
        try:
            for xref in range(1, doc.xref_length()):
                try:
                    if not doc.xref_is_stream(xref):
                        continue
                    raw = doc.xref_stream_raw(xref)
                except Exception:
                    continue
                if raw and len(raw) > 64:
                    hashes.add(hashlib.sha256(raw).hexdigest())
                    if raw[:3] == b"\xff\xd8\xff":
                        with contextlib.suppress(ValueError):
                            hashes.add(hashlib.sha256(_jpeg_segments(raw)[1]).hexdigest())
        finally:
            doc.close()
    return hashes


def _original_pages(data: bytes) -> int | None:
    if b"%PDF-" not in data[:1024]:
        return 1
    import pymupdf

    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return int(doc.page_count)
    except Exception:
        return None


# ---------------------------------------------------------------- box checks on decoded pixels

def _box_rect(box: Box, w: int, h: int) -> tuple[int, int, int, int]:
    return (max(0, math.floor(box.x0 * w)), max(0, math.floor(box.y0 * h)),
            min(w, math.ceil(box.x1 * w)), min(h, math.ceil(box.y1 * h)))


def _box_uniform(arr: np.ndarray, box: Box, *, lossy: bool) -> tuple[bool, int]:
    h, w = arr.shape[:2]
    left, top, right, bottom = _box_rect(box, w, h)
    inset = JPEG_INSET if lossy else 0
    l2, t2, r2, b2 = left + inset, top + inset, right - inset, bottom - inset
    if r2 <= l2:
        l2, r2 = (left + right) // 2, (left + right) // 2 + 1
    if b2 <= t2:
        t2, b2 = (top + bottom) // 2, (top + bottom) // 2 + 1
    region = arr[t2:b2, l2:r2]
    if region.size == 0:
        return False, 255
    flat = region.reshape(-1, region.shape[2]) if region.ndim == 3 else region.reshape(-1, 1)
    spread = int((flat.max(axis=0).astype(int) - flat.min(axis=0).astype(int)).max())
    return spread <= (JPEG_TOLERANCE if lossy else 0), spread


def _ocr_in_boxes(images: list[tuple[np.ndarray, bool]], boxes: BoxSet, ocr: bool | None) -> Check:
    """OCR a mosaic of every box (with a margin of context) per page; any character whose centre lies
    inside a box fails the check. One OCR call per page keeps this cheap."""
    if ocr is False:
        return Check("ocr_in_boxes", True, "已按要求跳过文字识别检查")
    from app.masking.suggest.ocr import get_engine, ocr_image, scale_image

    engine = get_engine()
    if engine is None:
        if ocr:
            return Check("ocr_in_boxes", False, "未安装文字识别引擎，无法完成检查")
        return Check("ocr_in_boxes", True, "未安装文字识别引擎，已跳过")
    bad: list[str] = []
    pages: list[int] = []
    gap = 32
    for pi, (arr, _lossy) in enumerate(images):
        page_boxes = boxes.for_page(pi)
        if not page_boxes:
            continue
        rgb = np.stack([arr] * 3, axis=2) if arr.ndim == 2 else arr
        h, w = rgb.shape[:2]
        tiles = []  # (crop, offset in page, box rect in page)
        for box in page_boxes:
            left, top, right, bottom = _box_rect(box, w, h)
            pad = max(bottom - top, 24)
            cx0, cy0 = max(0, left - pad), max(0, top - pad)
            crop = rgb[cy0:min(h, bottom + pad), cx0:min(w, right + pad)]
            f = min(1.0, 480 / max(crop.shape[:2]))
            if f < 1:
                crop = scale_image(crop, f)
            tiles.append((crop, f, (cx0, cy0), (left, top, right, bottom)))
        mw = max(t[0].shape[1] for t in tiles) + 2 * gap
        mh = sum(t[0].shape[0] + gap for t in tiles) + gap
        mosaic = np.full((mh, mw, 3), 255, np.uint8)
        y = gap
        placed = []
        for crop, f, off, rect in tiles:
            mosaic[y:y + crop.shape[0], gap:gap + crop.shape[1]] = crop
            placed.append((y, crop.shape[0], f, off, rect))
            y += crop.shape[0] + gap
        counts = [0] * len(tiles)
        # full-width lines and detection at up to 2000 px: the check must not miss a faint stroke
        for line in ocr_image(mosaic, engine, det_side=2000, squash=1.0):
            for ch in line.chars:
                if not ch.text.strip():
                    continue
                mx, my = ch.center
                for ti, (ty, th, f, (ox, oy), (left, top, right, bottom)) in enumerate(placed):
                    if ty <= my < ty + th:
                        px, py = ox + (mx - gap) / f, oy + (my - ty) / f
                        if left <= px < right and top <= py < bottom:
                            counts[ti] += 1
        for bi, found in enumerate(counts):
            if found:
                bad.append(f"第 {pi + 1} 页第 {bi + 1} 个框内识别出 {found} 个字符")
                pages.append(pi)
    if bad:
        return Check("ocr_in_boxes", False, "；".join(bad), sorted(set(pages)))
    return Check("ocr_in_boxes", True, "框内未识别出文字")


# ---------------------------------------------------------------- PDF inspection

PDF_ALLOWED_NAMES = {
    "Type", "Catalog", "Pages", "Page", "Kids", "Count", "Parent", "MediaBox", "CropBox", "Resources",
    "XObject", "Contents", "Subtype", "Image", "Width", "Height", "ColorSpace", "DeviceRGB", "DeviceGray",
    "BitsPerComponent", "Filter", "DCTDecode", "FlateDecode", "Length", "Rotate", "ProcSet", "PDF",
    "ImageB", "ImageC", "DecodeParms", "Predictor", "Colors", "Columns", "Size", "Root", "ID",
}
_NAME_RE = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_STREAM_RE = re.compile(rb"stream\r?\n")


def _resource_names(doc: Any) -> set[str]:
    names: set[str] = set()
    for page in doc:
        for img in page.get_images(full=True):
            names.add(img[7])
    return names


def _inspect_pdf(data: bytes, boxes: BoxSet, scanner: _SecretScanner, checks: dict[str, Check],
                 images: list[tuple[np.ndarray, bool]], out_hashes: set[str]) -> int:
    import pymupdf

    # single revision — on raw bytes, before any parser normalises the file
    eofs = data.count(b"%%EOF")
    startxrefs = data.count(b"startxref")
    if eofs == 1 and startxrefs == 1 and b"/Prev" not in data:
        checks["single_revision"] = Check("single_revision", True, "文件只有一个版本")
    else:
        checks["single_revision"] = Check(
            "single_revision", False, f"发现增量保存的早期版本（%%EOF × {eofs}，startxref × {startxrefs}）")
    tail = data[data.rfind(b"%%EOF") + 5:] if eofs else b""
    structure_problems: list[str] = []
    if tail.strip():
        structure_problems.append(f"文件结尾后还有 {len(tail.strip())} 字节数据")

    # orphaned or compressed streams anywhere in the raw bytes (earlier revisions included)
    scanner.scan_bytes(data, "文件原始字节", image_data=True)
    for m in _STREAM_RE.finditer(data):
        seg = data[m.end():m.end() + 50_000_000]
        end = seg.find(b"endstream")
        seg = seg[:end] if end >= 0 else seg
        if seg[:3] == b"\xff\xd8\xff":
            continue
        try:
            dec = zlib.decompressobj().decompress(seg, 200_000_000)
        except zlib.error:
            continue
        scanner.scan_bytes(dec, "压缩数据流")

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        checks["readable"] = Check("readable", False, f"无法作为 PDF 打开（{type(exc).__name__}）")
        return 0
    try:
        if doc.needs_pass or doc.is_encrypted:
            checks["readable"] = Check("readable", False, "PDF 已加密")
            return 0
        n_pages = doc.page_count
        # object whitelist
        res_names = _resource_names(doc)
        unexpected: set[str] = set()
        for xref in range(1, doc.xref_length()):
            try:
                src = doc.xref_object(xref, compressed=False)
            except Exception:
                continue
            scanner.scan_bytes(src.encode("utf-8", "surrogatepass"), f"对象 {xref}")
            for nm in _NAME_RE.findall(src.encode("utf-8", "surrogatepass")):
                name = nm.decode("latin-1")
                if name not in PDF_ALLOWED_NAMES and name not in res_names:
                    unexpected.add(name)
            if doc.xref_is_stream(xref):
                is_image = doc.xref_get_key(xref, "Subtype")[1] == "/Image"
                raw = doc.xref_stream_raw(xref) or b""
                out_hashes.add(hashlib.sha256(raw).hexdigest())
                if raw[:3] == b"\xff\xd8\xff":
                    try:
                        out_hashes.add(hashlib.sha256(_jpeg_segments(raw)[1]).hexdigest())
                    except ValueError:
                        structure_problems.append(f"对象 {xref} 的 JPEG 数据损坏")
                if not is_image:
                    try:
                        scanner.scan_bytes(doc.xref_stream(xref) or b"", f"数据流 {xref}")
                    except Exception:
                        structure_problems.append(f"对象 {xref} 的数据流无法解码")
        trailer = doc.xref_object(-1, compressed=False) if hasattr(doc, "xref_object") else ""
        scanner.scan_bytes(trailer.encode("utf-8", "surrogatepass"), "文件尾字典")
        for nm in _NAME_RE.findall(trailer.encode("latin-1", "replace")):
            name = nm.decode("latin-1")
            if name not in PDF_ALLOWED_NAMES:
                unexpected.add(name)
        if unexpected:
            structure_problems.append("含有不允许的对象/键：" + "、".join("/" + n for n in sorted(unexpected)[:12]))

        # metadata, XMP, annotations, forms, attachments
        meta_problems: list[str] = []
        for k, v in (doc.metadata or {}).items():
            if k in ("format", "encryption"):
                continue
            if v:
                meta_problems.append(f"文档信息 {k}")
                scanner.scan_text(str(v), f"文档信息 {k}")
        xmp = doc.get_xml_metadata() or ""
        if xmp.strip():
            meta_problems.append("XMP 元数据")
            scanner.scan_text(xmp, "XMP 元数据")
        if doc.embfile_count():
            meta_problems.append(f"{doc.embfile_count()} 个附件")
            for nm in doc.embfile_names():
                scanner.scan_text(nm, "附件名称")
        if doc.is_form_pdf:
            meta_problems.append("表单域")
        cat = doc.pdf_catalog()
        for key in ("Names", "OpenAction", "AA", "AcroForm", "Metadata", "Outlines", "OCProperties", "Dests"):
            if doc.xref_get_key(cat, key)[0] != "null":
                meta_problems.append(f"目录键 /{key}")
        text_pages: list[int] = []
        for pi, page in enumerate(doc.pages()):
            if page.first_annot is not None or doc.xref_get_key(page.xref, "Annots")[0] != "null":
                meta_problems.append(f"第 {pi + 1} 页的注释")
            if page.get_fonts(full=True):
                text_pages.append(pi)
            text = page.get_text("text")
            if text.strip():
                text_pages.append(pi)
                scanner.scan_text(text, f"第 {pi + 1} 页文字")
        checks["no_metadata"] = (Check("no_metadata", False, "发现：" + "、".join(dict.fromkeys(meta_problems)))
                                 if meta_problems else Check("no_metadata", True, "无元数据、注释、表单、附件或脚本"))
        text_pages = sorted(set(text_pages))
        checks["no_text"] = (
            Check("no_text", False, "第 " + "、".join(str(p + 1) for p in text_pages) + " 页含可提取文字或字体", text_pages)
            if text_pages else Check("no_text", True, "无可提取文字"))

        # per page: exactly one full-page image, drawn by q … cm /Name Do Q
        for pi, page in enumerate(doc.pages()):
            problem, arr, lossy = _page_image(doc, page)
            if problem:
                structure_problems.append(f"第 {pi + 1} 页{problem}")
                images.append((np.zeros((1, 1), np.uint8), True))
            else:
                assert arr is not None
                images.append((arr, lossy))
        checks["structure"] = (Check("structure", False, "；".join(structure_problems))
                               if structure_problems else Check("structure", True, "每页只有一张整页图片"))
        return int(n_pages)
    finally:
        doc.close()


_TOKEN_RE = re.compile(rb"/[^\s/\[\]<>()]+|[-+]?\d*\.?\d+|[A-Za-z'\"]+")


def _page_image(doc: Any, page: Any) -> tuple[str, np.ndarray | None, bool]:
    import pymupdf

    if page.rotation % 360:
        return "页面被旋转", None, False
    content = b"".join(doc.xref_stream(x) or b"" for x in page.get_contents())
    tokens = _TOKEN_RE.findall(content)
    ops = [t for t in tokens if re.fullmatch(rb"[A-Za-z'\"]+", t)]
    if sorted(set(ops)) != sorted({b"q", b"Q", b"cm", b"Do"}) or ops.count(b"Do") != 1:
        return "的内容不止一张图片", None, False
    nums = [float(t) for t in tokens if re.fullmatch(rb"[-+]?\d*\.?\d+", t)]
    mb = page.mediabox
    if len(nums) != 6:
        return "的图片变换矩阵异常", None, False
    a, b, c, d, e, f = nums
    if (abs(b) > 1e-3 or abs(c) > 1e-3 or abs(a - mb.width) > 0.5 or abs(d - mb.height) > 0.5
            or abs(e - mb.x0) > 0.5 or abs(f - mb.y0) > 0.5):
        return "的图片未恰好铺满页面", None, False
    name = next(t for t in tokens if t.startswith(b"/")).decode("latin-1")[1:]
    imgs = [i for i in page.get_images(full=True) if i[7] == name]
    if len(imgs) != 1 or len(page.get_images(full=True)) != 1:
        return "的图片资源异常", None, False
    xref, smask, w, h, _bpc, _cs, _alt, _nm, filt, _ = imgs[0]
    if smask:
        return "的图片带有蒙版", None, False
    if filt == "DCTDecode":
        raw = doc.xref_stream_raw(xref)
        arr = _decode_cv(raw)
        lossy = True
    else:
        pix = pymupdf.Pixmap(doc, xref)
        if pix.alpha:
            pix = pymupdf.Pixmap(pix, 0)
        arr = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n).copy()
        lossy = False
    if arr is None or arr.shape[0] != h or arr.shape[1] != w:
        return "的图片无法解码", None, False
    return "", arr, lossy


# ---------------------------------------------------------------- entry point

def verify_masked(
    out_path: str | Path, boxes: BoxSet, *, original: str | Path | None = None,
    secrets: Sequence[str] = (), ocr: bool | None = None,
) -> VerifyReport:
    """Re-open ``out_path`` and run every check. Never raises on a bad output: it fails checks."""
    from app.fileio import MAX_DOCUMENT_BYTES, read_user_file

    out_path = Path(out_path)
    data = read_user_file(out_path, MAX_DOCUMENT_BYTES, what="要校验的文件")
    secrets = validate_secrets(secrets)
    orig_data: bytes | None = None
    if original is not None:
        orig_data = read_user_file(original, MAX_DOCUMENT_BYTES, what="原件")

    scanner = _SecretScanner(secrets)
    checks: dict[str, Check] = {}
    images: list[tuple[np.ndarray, bool]] = []
    out_hashes = {hashlib.sha256(data).hexdigest()}
    n_pages = 0

    if not data:
        checks["readable"] = Check("readable", False, "文件为空")
    elif b"%PDF-" in data[:1024]:
        n_pages = _inspect_pdf(data, boxes, scanner, checks, images, out_hashes)
    elif data[:3] == b"\xff\xd8\xff":
        n_pages = _inspect_jpeg(data, scanner, checks, images, out_hashes)
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        n_pages = _inspect_png(data, scanner, checks, images, out_hashes)
    else:
        checks["readable"] = Check("readable", False, "不是 PDF、JPEG 或 PNG 文件")

    if "readable" not in checks:
        problems = []
        if boxes.max_index >= n_pages:
            problems.append(f"遮盖框指向第 {boxes.max_index + 1} 页，但文件只有 {n_pages} 页")
        if orig_data is not None:
            orig_pages = _original_pages(orig_data)
            if orig_pages is not None and orig_pages != n_pages:
                problems.append(f"页数（{n_pages}）与原件（{orig_pages}）不一致")
        checks["readable"] = (Check("readable", False, "；".join(problems)) if problems
                              else Check("readable", True, f"共 {n_pages} 页"))

    # boxes filled
    if images and checks["readable"].ok:
        bad, pages = [], []
        for pi, (arr, lossy) in enumerate(images):
            for bi, box in enumerate(boxes.for_page(pi)):
                ok, spread = _box_uniform(arr, box, lossy=lossy)
                if not ok:
                    bad.append(f"第 {pi + 1} 页第 {bi + 1} 个框未被均匀填充（色差 {spread}）")
                    pages.append(pi)
        checks["boxes_filled"] = (Check("boxes_filled", False, "；".join(bad[:10]), sorted(set(pages))) if bad
                                  else Check("boxes_filled", True, f"{boxes.count()} 个框均已均匀填充"))
        checks["ocr_in_boxes"] = _ocr_in_boxes(images, boxes, ocr) if boxes.count() else Check(
            "ocr_in_boxes", True, "没有遮盖框")
    else:
        checks.setdefault("boxes_filled", Check("boxes_filled", False, "无法解码页面图像"))
        checks.setdefault("ocr_in_boxes", Check("ocr_in_boxes", False, "无法解码页面图像"))

    # original image streams
    if orig_data is None:
        checks["no_original_images"] = Check("no_original_images", True, "未提供原件，跳过比对")
    else:
        common = out_hashes & _original_hashes(orig_data)
        checks["no_original_images"] = (
            Check("no_original_images", False, f"输出中有 {len(common)} 个数据流与原件完全相同") if common
            else Check("no_original_images", True, "输出中没有原件的图像数据"))

    checks["no_secrets"] = scanner.check()
    for name in ("no_text", "no_metadata", "single_revision", "structure"):
        checks.setdefault(name, Check(name, False, "无法检查"))
    order = list(CHECK_LABELS)
    return VerifyReport(sorted(checks.values(), key=lambda c: order.index(c.name)))


def _inspect_jpeg(data: bytes, scanner: _SecretScanner, checks: dict[str, Check],
                  images: list[tuple[np.ndarray, bool]], out_hashes: set[str]) -> int:
    try:
        segs, scan, end = _jpeg_segments(data)
    except ValueError as exc:
        checks["readable"] = Check("readable", False, f"JPEG 结构损坏（{exc}）")
        return 0
    out_hashes.add(hashlib.sha256(scan).hexdigest())
    scanner.scan_bytes(data, "文件原始字节", image_data=True)
    meta = [s for s in segs if 0xE0 <= s[0] <= 0xEF or s[0] == 0xFE]
    for m, a, b in meta:
        scanner.scan_bytes(data[a:b], f"{'COM' if m == 0xFE else f'APP{m - 0xE0}'} 段")
    checks["no_metadata"] = (
        Check("no_metadata", False, "含有 " + "、".join(sorted({"COM" if m == 0xFE else f"APP{m - 0xE0}" for m, _, _ in meta}))
              + " 段（EXIF/注释等）") if meta else Check("no_metadata", True, "没有 APP/COM 段"))
    problems = []
    if end < 0:
        problems.append("缺少结束标记")
    elif data[end:].strip(b"\x00"):
        problems.append(f"结束标记后还有 {len(data) - end} 字节数据")
        scanner.scan_bytes(data[end:], "结束标记后的数据")
    if sum(1 for s in segs if s[0] in (0xC0, 0xC1, 0xC2)) != 1:
        problems.append("图像帧数量异常")
    checks["structure"] = Check("structure", not problems, "；".join(problems) or "单帧 JPEG，无附加数据")
    return _decoded_image(data, "JPEG", checks, images, lossy=True)


def _inspect_png(data: bytes, scanner: _SecretScanner, checks: dict[str, Check],
                 images: list[tuple[np.ndarray, bool]], out_hashes: set[str]) -> int:
    try:
        chunks, end = _png_chunks(data)
    except ValueError as exc:
        checks["readable"] = Check("readable", False, f"PNG 结构损坏（{exc}）")
        return 0
    out_hashes.add(hashlib.sha256(b"".join(b for t, b in chunks if t == b"IDAT")).hexdigest())
    scanner.scan_bytes(data, "文件原始字节", image_data=True)
    extra = sorted({t.decode("latin-1") for t, _ in chunks if t not in PNG_ALLOWED})
    for t, body in chunks:
        if t in PNG_ALLOWED:
            continue
        scanner.scan_bytes(body, f"{t.decode('latin-1')} 块")
        if t in (b"zTXt", b"iTXt", b"iCCP"):
            k = body.find(b"\x00")
            for start in range(k + 1, min(len(body), k + 8)):
                try:
                    scanner.scan_bytes(zlib.decompress(body[start:]), f"{t.decode('latin-1')} 块")
                    break
                except zlib.error:
                    continue
    checks["no_metadata"] = (Check("no_metadata", False, "含有附加数据块：" + "、".join(extra)) if extra
                             else Check("no_metadata", True, "没有文字/EXIF/ICC 数据块"))
    trailing = data[end:]
    checks["structure"] = Check("structure", not trailing, f"结束块后还有 {len(trailing)} 字节数据" if trailing
                                else "单幅 PNG，无附加数据")
    if trailing:
        scanner.scan_bytes(trailing, "结束块后的数据")
    return _decoded_image(data, "PNG", checks, images, lossy=False)


def _decoded_image(data: bytes, kind: str, checks: dict[str, Check], images: list[tuple[np.ndarray, bool]],
                   *, lossy: bool) -> int:
    """The checks every image file passes by construction, then its pixels (decoded by OpenCV, not
    by the burn-in's Pillow) for the box checks. Returns the number of pages (0 if undecodable)."""
    checks["no_text"] = Check("no_text", True, "图片文件没有文字层")
    checks["single_revision"] = Check("single_revision", True, "图片文件只有一个版本")
    arr = _decode_cv(data)
    if arr is None:
        checks["readable"] = Check("readable", False, f"{kind} 无法解码")
        return 0
    images.append((arr, lossy))
    return 1

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
                      in JPEG except one plain JFIF APP0 (no thumbnail); no ancillary text/EXIF/ICC
                      chunks in PNG (PDF images may use an ICC colour space: the profile must be a
                      well-formed ICC profile and is searched for secrets like every stream)
  single_revision     one %%EOF, no /Prev (no incremental saves)
  no_original_images  no image stream (or file) identical to / same hash as one of the original's
  boxes_filled        every box is one uniform colour
  ocr_in_boxes        no legible glyph is cut by a box: where ink touches a filled box's top or
                      bottom edge from outside, the OCR reads the band there (when it is installed);
                      a box that is not filled is read whole (any character centred inside fails)
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


# ---------------------------------------------------------------- OCR at the boxes' edges
#
# A box that passed ``boxes_filled`` is one flat colour: it cannot hold a legible character. What can
# still leak is a glyph that straddles a box's top or bottom edge and stays legible outside it (a box
# covering only half the height of a name). So for a filled box the OCR looks only at the bands
# across its top and bottom edges, and only where ink actually touches the edge from outside; a
# character read there counts when it reaches the edge from outside, lies over the box horizontally
# and its ink touches the edge. Text lines and table rules passing through a box (its left and right
# edges) are not glyphs straddling it. A box that is not uniformly filled (only possible when
# ``_ocr_in_boxes`` is called on its own) is read whole: any character centred inside it counts.

EDGE_RING = 3  # px just outside a filled box where ink means something touches its edge
EDGE_INK_DROP = 64  # darker than the paper by this much (darkest channel) is ink
EDGE_MIN_INK = 3  # ink pixels in the ring before a band is read
EDGE_MIN_VISIBLE = 6  # px: ink reaching less far out from the edge is a sliver no one can read
EDGE_BAND = (48, 160)  # px read outside an edge: twice the box height, within these bounds
EDGE_CONTEXT = (200, 400)  # px of the line read beside the box: five box heights, within these bounds
EDGE_RULE = (96, 4)  # horizontal ink runs of at least max(96 px, 4 box heights) are rules, not glyphs
EDGE_GROW = 20  # px a filled area may extend beyond its box (burn-in snaps JPEG boxes to 16 px)
OCR_TILE_SIDE = (1600, 480)  # a tile is scaled to at most this width, height before the mosaic
RULE_LIKE = set("|丨｜!1lI")  # what OCR reads a vertical rule as


@dataclass
class _OcrTile:
    box: int  # index of the box on its page
    origin: tuple[int, int]  # page px of the tile's top-left corner
    image: np.ndarray  # RGB pixels read by the OCR
    rect: tuple[int, int, int, int]  # the box's (filled) rectangle in page px
    edge: str  # "top" | "bottom" | "inside"
    ink: np.ndarray | None = None  # per tile column: ink touches the box's edge there
    ink_map: np.ndarray | None = None  # the tile's ink (rules removed), rows ordered from the edge outwards


def _darkest(arr: np.ndarray) -> np.ndarray:
    return arr.min(axis=2) if arr.ndim == 3 else arr


def _filled_rect(arr: np.ndarray, rect: tuple[int, int, int, int], lossy: bool) -> tuple[int, int, int, int]:
    """``rect`` grown over the rows and columns around it that are still the box's flat fill colour."""
    left, top, right, bottom = rect
    h, w = arr.shape[:2]
    tol = JPEG_TOLERANCE // 2 if lossy else 0
    inner = arr[top:bottom, left:right]
    if inner.size == 0:
        return rect
    fill = np.median(inner.reshape(-1, inner.shape[2] if inner.ndim == 3 else 1), axis=0).astype(np.int16)

    def flat(seg: np.ndarray) -> bool:
        if seg.size == 0:
            return False
        px = seg.reshape(-1, seg.shape[2] if seg.ndim == 3 else 1).astype(np.int16)
        return bool((np.abs(px - fill) <= tol).all())

    for _ in range(EDGE_GROW):
        if top <= 0 or not flat(arr[top - 1:top, left:right]):
            break
        top -= 1
    for _ in range(EDGE_GROW):
        if bottom >= h or not flat(arr[bottom:bottom + 1, left:right]):
            break
        bottom += 1
    for _ in range(EDGE_GROW):
        if left <= 0 or not flat(arr[top:bottom, left - 1:left]):
            break
        left -= 1
    for _ in range(EDGE_GROW):
        if right >= w or not flat(arr[top:bottom, right:right + 1]):
            break
        right += 1
    return left, top, right, bottom


def _rgb(arr: np.ndarray) -> np.ndarray:
    return np.stack([arr] * 3, axis=2) if arr.ndim == 2 else arr


def _edge_tiles(arr: np.ndarray, bi: int, box: Box, lossy: bool) -> list[_OcrTile]:
    """What to read around one box: the whole box with context when it is not filled; otherwise the
    bands outside its top and bottom edges where ink touches them (none when nothing does)."""
    import cv2

    h, w = arr.shape[:2]
    rect = _box_rect(box, w, h)
    if not _box_uniform(arr, box, lossy=lossy)[0]:
        left, top, right, bottom = rect
        pad = max(bottom - top, 24)
        x0, y0 = max(0, left - pad), max(0, top - pad)
        return [_OcrTile(bi, (x0, y0), _rgb(arr[y0:min(h, bottom + pad), x0:min(w, right + pad)]), rect, "inside")]
    left, top, right, bottom = _filled_rect(arr, rect, lossy)
    box_h = bottom - top
    band = int(min(EDGE_BAND[1], max(EDGE_BAND[0], 2 * box_h)))
    side = int(min(EDGE_CONTEXT[1], max(EDGE_CONTEXT[0], 5 * box_h)))
    rule = max(EDGE_RULE[0], EDGE_RULE[1] * box_h)
    x0, x1 = max(0, left - side), min(w, right + side)
    tiles = []
    for edge in ("top", "bottom"):
        y0, y1 = (max(0, top - band), top) if edge == "top" else (bottom, min(h, bottom + band))
        if y1 - y0 < EDGE_RING:
            continue  # the box reaches the page's edge: nothing outside it there
        region = _rgb(arr[y0:y1, x0:x1]).copy()
        dark = _darkest(region)
        paper = float(np.percentile(dark, 90))
        ink = (dark < paper - EDGE_INK_DROP).astype(np.uint8)
        # table rules along or across the edge are not glyphs: painted over with the paper colour
        rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (rule, 1)))
        if rules.any():
            rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
            region[rules > 0] = int(paper)
            ink[rules > 0] = 0
        ring = ink[-EDGE_RING:] if edge == "top" else ink[:EDGE_RING]
        cols = np.zeros(x1 - x0, bool)
        cols[left - x0:right - x0] = ring[:, left - x0:right - x0].any(axis=0)
        if int(ring[:, left - x0:right - x0].sum()) < EDGE_MIN_INK:
            continue
        outwards = ink[::-1] if edge == "top" else ink
        if not _maybe_cut_glyphs(outwards[:, left - x0:right - x0]):
            continue  # only slivers of glyphs the box covers, or whole glyphs of a line it grazes
        tiles.append(_OcrTile(bi, (x0, y0), region, (left, top, right, bottom), edge, cols,
                              ink[::-1] if edge == "top" else ink))
    return tiles


def _visible_rows(ink: np.ndarray, gap: int = 3) -> int:
    """Rows of ink from the edge (row 0) outwards until ``gap`` blank rows."""
    height = blank = 0
    rows: np.ndarray = np.asarray(ink.any(axis=1))
    for i, r in enumerate(rows.tolist()):
        if r:
            height, blank = i + 1, 0
        else:
            blank += 1
            if blank >= gap:
                break
    return height


def _maybe_cut_glyphs(ink: np.ndarray) -> bool:
    """Could any glyph touching the edge (row 0 of ``ink``, rows outwards) be one the box covers in
    part and that is legible (``_glyph_cut``)? Judged on the glyph-like column runs of the ink that
    touches the edge, so the OCR runs only where it could find something."""
    import cv2

    visible = _visible_rows(ink)
    if visible < EDGE_MIN_VISIBLE:
        return False
    line = ink[:visible].astype(np.uint8)
    k = max(3, visible // 4)  # strokes of one glyph are closer than this
    run = np.asarray(line.any(axis=0), np.uint8)[None, :]
    cols = np.asarray(cv2.morphologyEx(run, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8)))[0] > 0
    edges = np.flatnonzero(np.diff(np.r_[0, cols.astype(np.int8), 0]))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if not ink[0, a:b].any():
            continue
        height = _visible_rows(ink[:, a:b], max(3, round(GLYPH_GAP * (b - a))))
        if EDGE_MIN_VISIBLE <= height < GLYPH_WHOLE[1] * (b - a):
            return True
    return False


def _char_straddles(tile: _OcrTile, rect: tuple[float, float, float, float], text: str) -> bool:
    """Does a character read at ``rect`` (page px) count against the tile's box?"""
    cl, ct, cr, cb = rect
    left, top, right, bottom = tile.rect
    if tile.edge == "inside":
        cx, cy = (cl + cr) / 2, (ct + cb) / 2
        return left <= cx < right and top <= cy < bottom
    if text in RULE_LIKE:
        return False
    ch, cw = max(1.0, cb - ct), max(1.0, cr - cl)
    if min(cr, right) - max(cl, left) < 0.5 * cw:
        return False  # mostly beside the box: part of a line passing through it
    tol = 0.25 * ch + 2
    reaches = cb >= top - tol if tile.edge == "top" else ct <= bottom + tol
    if not reaches or tile.ink is None:
        return False
    a = max(0, int(max(cl, left)) - tile.origin[0])
    b = max(0, math.ceil(min(cr, right)) - tile.origin[0])
    if not tile.ink[a:b].any():
        return False  # its ink does not touch the edge
    return _glyph_cut(tile, a, b, cjk=any(c >= "\u2e80" for c in text))


GLYPH_GAP = 0.25  # a blank run of this share of a glyph's width ends it (line spacing is wider)
# A glyph showing at least this height / width (CJK; Latin letters and digits) is at most ~40 % covered:
# it belongs to a neighbouring line the box grazes, not to what the box covers only in part
GLYPH_WHOLE = (0.6, 1.0)


def _glyph_cut(tile: _OcrTile, a: int, b: int, *, cjk: bool) -> bool:
    """Is the glyph in tile columns a:b, touching the edge, mostly hidden by the box? A glyph of a
    neighbouring line that the box touches or grazes shows (most of) its height — a whole CJK glyph is
    about as tall as wide, Latin letters and digits taller; one the box covers by half shows half."""
    assert tile.ink_map is not None
    sub = tile.ink_map[:, a:b]
    cols = np.flatnonzero(sub.any(axis=0))
    if cols.size == 0:
        return True
    width = int(cols[-1] - cols[0] + 1)
    height = _visible_rows(sub, max(3, round(GLYPH_GAP * width)))
    whole = GLYPH_WHOLE[0] if cjk else GLYPH_WHOLE[1]
    glyph_cols = np.flatnonzero(sub[:height].any(axis=0))
    width = int(glyph_cols[-1] - glyph_cols[0] + 1) if glyph_cols.size else width
    return height < whole * width


def _ocr_in_boxes(images: list[tuple[np.ndarray, bool]], boxes: BoxSet, ocr: bool | None) -> Check:
    """OCR, per page, one mosaic of the bands where ink touches a filled box's top or bottom edge (and
    of any box that is not filled); a character straddling such an edge, legible outside, fails."""
    if ocr is False:
        return Check("ocr_in_boxes", True, "已按要求跳过文字识别检查")
    from app.masking.suggest.ocr import get_engine

    engine = get_engine()
    if engine is None:
        if ocr:
            return Check("ocr_in_boxes", False, "未安装文字识别引擎，无法完成检查")
        return Check("ocr_in_boxes", True, "未安装文字识别引擎，已跳过")
    bad: list[str] = []
    pages: list[int] = []
    read = 0
    def page_tiles(pi: int) -> list[_OcrTile]:
        arr, lossy = images[pi]
        return [t for bi, box in enumerate(boxes.for_page(pi)) for t in _edge_tiles(arr, bi, box, lossy)]

    with _pool() as pool:  # numpy and OpenCV release the GIL: pages in parallel
        per_page = list(pool.map(page_tiles, range(len(images))))
    for pi, tiles in enumerate(per_page):
        if not tiles:
            continue
        read += len(tiles)
        counts = _read_tiles(tiles, engine)
        for bi in sorted(counts):
            bad.append(f"第 {pi + 1} 页第 {bi + 1} 个框{'内' if any(t.box == bi and t.edge == 'inside' for t in tiles) else '的边缘'}"
                       f"识别出 {counts[bi]} 个字符")
            pages.append(pi)
    if bad:
        return Check("ocr_in_boxes", False, "；".join(bad), sorted(set(pages)))
    if not read:
        return Check("ocr_in_boxes", True, "所有框均已均匀填充，且没有笔画跨过框的上下边缘")
    return Check("ocr_in_boxes", True, f"框内及框的上下边缘未识别出文字（识别了 {read} 处边缘）")


def _read_tiles(tiles: Sequence[_OcrTile], engine: Any) -> dict[int, int]:
    """One OCR call on a mosaic of a page's tiles; characters counted against their box."""
    from app.masking.suggest.ocr import ocr_image, scale_image

    gap = 32
    rows = []  # (top in mosaic, scaled image, scale, tile)
    y = gap
    for t in tiles:
        img = t.image
        f = min(1.0, OCR_TILE_SIDE[0] / max(1, img.shape[1]), OCR_TILE_SIDE[1] / max(1, img.shape[0]))
        if f < 1:
            img = scale_image(img, f)
        rows.append((y, img, f, t))
        y += img.shape[0] + gap
    mosaic = np.full((y, max(r[1].shape[1] for r in rows) + 2 * gap, 3), 255, np.uint8)
    for ty, img, _f, _t in rows:
        mosaic[ty:ty + img.shape[0], gap:gap + img.shape[1]] = img
    counts: dict[int, int] = {}
    # full-width lines and detection at up to 2000 px: the check must not miss a faint stroke
    for line in ocr_image(mosaic, engine, det_side=2000, squash=1.0, pad_small=True):
        for ch in line.chars:
            if not ch.text.strip():
                continue
            left, top, right, bottom = ch.rect
            my = (top + bottom) / 2
            for ty, img, f, t in rows:
                if ty <= my < ty + img.shape[0]:
                    ox, oy = t.origin
                    page_rect = (ox + (left - gap) / f, oy + (top - ty) / f, ox + (right - gap) / f,
                                 oy + (bottom - ty) / f)
                    if _char_straddles(t, page_rect, ch.text.strip()):
                        counts[t.box] = counts.get(t.box, 0) + 1
                    break
    return counts


# ---------------------------------------------------------------- PDF inspection

PDF_ALLOWED_NAMES = {
    "Type", "Catalog", "Pages", "Page", "Kids", "Count", "Parent", "MediaBox", "CropBox", "Resources",
    "XObject", "Contents", "Subtype", "Image", "Width", "Height", "ColorSpace", "DeviceRGB", "DeviceGray",
    "BitsPerComponent", "Filter", "DCTDecode", "FlateDecode", "Length", "Rotate", "ProcSet", "PDF",
    "ImageB", "ImageC", "DecodeParms", "Predictor", "Colors", "Columns", "Size", "Root", "ID",
    "ICCBased", "N", "Alternate",  # an image's ICC colour profile (its stream is checked: _icc_problem)
}
_NAME_RE = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_STREAM_RE = re.compile(rb"stream\r?\n")


def _resource_names(doc: Any) -> set[str]:
    names: set[str] = set()
    for page in doc:
        for img in page.get_images(full=True):
            names.add(img[7])
    return names


_ICC_REF = re.compile(r"\[\s*/ICCBased\s+(\d+)\s+0\s+R\s*\]")


def _icc_streams(doc: Any) -> set[int]:
    """xrefs of the ICC profiles the page images use as their colour space (/ColorSpace [/ICCBased n 0 R])."""
    out: set[int] = set()
    for page in doc:
        for img in page.get_images(full=True):
            kind, value = doc.xref_get_key(img[0], "ColorSpace")
            if kind == "xref":
                value = doc.xref_object(int(value.split()[0]), compressed=False)
            for m in _ICC_REF.finditer(value or ""):
                out.add(int(m.group(1)))
    return out


ICC_MAX_BYTES = 1 << 20  # a real profile is a few KB (sRGB 3 KB, printer profiles up to a few hundred)


def _icc_problem(profile: bytes) -> str:
    """'' for a well-formed ICC profile (header size matches, 'acsp' signature, tag table inside the
    data), else what is wrong: a colour profile is harmless, arbitrary data under its name is not.
    Secrets in it are looked for by the caller like in every other stream."""
    n = len(profile)
    if n < 132 or n > ICC_MAX_BYTES:
        return "大小异常"
    if profile[36:40] != b"acsp" or int.from_bytes(profile[:4], "big") != n:
        return "不是有效的 ICC 配置文件"
    count = int.from_bytes(profile[128:132], "big")
    if 132 + 12 * count > n:
        return "标签表越界"
    for i in range(count):
        off = 132 + 12 * i
        start = int.from_bytes(profile[off + 4:off + 8], "big")
        size = int.from_bytes(profile[off + 8:off + 12], "big")
        if start + size > n:
            return "标签越界"
    return ""


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
        icc_xrefs = _icc_streams(doc)
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
                        decoded = doc.xref_stream(xref) or b""
                    except Exception:
                        structure_problems.append(f"对象 {xref} 的数据流无法解码")
                        continue
                    scanner.scan_bytes(decoded, f"数据流 {xref}")
                    if xref in icc_xrefs:
                        problem = _icc_problem(decoded)
                        if problem:
                            structure_problems.append(f"对象 {xref} 的 ICC 颜色配置{problem}")
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

        # per page: exactly one full-page image, drawn by q … cm /Name Do Q; JPEGs are decoded on all
        # cores (PyMuPDF is used from this thread only; OpenCV's decoder releases the GIL)
        found = [_page_image(doc, page) for page in doc.pages()]
        with _pool() as pool:
            decoded = list(pool.map(_decoded_page, found))
        for pi, (problem, arr, lossy) in enumerate(decoded):
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


def _pool() -> Any:
    import os
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)))


def _decoded_page(found: tuple[str, Any, bool, tuple[int, int]]) -> tuple[str, np.ndarray | None, bool]:
    """``_page_image``'s result with a JPEG's bytes decoded and the size checked."""
    problem, data, lossy, (w, h) = found
    if problem:
        return problem, None, lossy
    arr = _decode_cv(data) if isinstance(data, bytes) else data
    if arr is None or arr.shape[0] != h or arr.shape[1] != w:
        return "的图片无法解码", None, False
    return "", arr, lossy


def _page_image(doc: Any, page: Any) -> tuple[str, Any, bool, tuple[int, int]]:
    """(problem, the page image's JPEG bytes or pixels, lossy, (width, height) it declares)."""
    import pymupdf

    if page.rotation % 360:
        return "页面被旋转", None, False, (0, 0)
    content = b"".join(doc.xref_stream(x) or b"" for x in page.get_contents())
    tokens = _TOKEN_RE.findall(content)
    ops = [t for t in tokens if re.fullmatch(rb"[A-Za-z'\"]+", t)]
    if sorted(set(ops)) != sorted({b"q", b"Q", b"cm", b"Do"}) or ops.count(b"Do") != 1:
        return "的内容不止一张图片", None, False, (0, 0)
    nums = [float(t) for t in tokens if re.fullmatch(rb"[-+]?\d*\.?\d+", t)]
    mb = page.mediabox
    if len(nums) != 6:
        return "的图片变换矩阵异常", None, False, (0, 0)
    a, b, c, d, e, f = nums
    if (abs(b) > 1e-3 or abs(c) > 1e-3 or abs(a - mb.width) > 0.5 or abs(d - mb.height) > 0.5
            or abs(e - mb.x0) > 0.5 or abs(f - mb.y0) > 0.5):
        return "的图片未恰好铺满页面", None, False, (0, 0)
    name = next(t for t in tokens if t.startswith(b"/")).decode("latin-1")[1:]
    imgs = [i for i in page.get_images(full=True) if i[7] == name]
    if len(imgs) != 1 or len(page.get_images(full=True)) != 1:
        return "的图片资源异常", None, False, (0, 0)
    xref, smask, w, h, _bpc, _cs, _alt, _nm, filt, _ = imgs[0]
    if smask:
        return "的图片带有蒙版", None, False, (0, 0)
    if filt == "DCTDecode":
        return "", bytes(doc.xref_stream_raw(xref) or b""), True, (w, h)  # decoded by _decoded_page
    else:
        pix = pymupdf.Pixmap(doc, xref)
        if pix.alpha:
            pix = pymupdf.Pixmap(pix, 0)
        arr = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n).copy()
        lossy = False
    return "", arr, lossy, (w, h)


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
    app0 = [s for s in meta if s[0] == 0xE0]
    if len(app0) == 1 and _jfif_harmless(data[app0[0][1] + 4:app0[0][2]]):
        meta.remove(app0[0])  # a plain JFIF header (density only, no thumbnail), as most encoders write
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


def _jfif_harmless(body: bytes) -> bool:
    """A JFIF APP0 body with no thumbnail: 'JFIF\\0', version, density units and values, 0×0 thumbnail
    and nothing else. A thumbnail (or a JFXX extension) is an unmasked copy of the page: refused."""
    return (len(body) == 14 and body[:5] == b"JFIF\x00" and body[5] == 1 and body[7] <= 2
            and body[12] == 0 and body[13] == 0)


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

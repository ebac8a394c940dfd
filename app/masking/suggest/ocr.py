"""OCR suggestions: RapidOCR (PP-OCRv4 ONNX models shipped inside the rapidocr-onnxruntime wheel) reads
character boxes; they are matched fuzzily to the person's name and the unit's full and short names,
including names split across two lines and common OCR confusions.

Only boxes leave this module; the recognised text stays in memory (and in the local cache).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.masking.boxes import Box

log = logging.getLogger(__name__)

_engine: Any = None
_engine_failed = False
_lock = threading.Lock()


@dataclass
class OcrChar:
    text: str
    rect: tuple[float, float, float, float]  # left, top, right, bottom in px
    score: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.rect[0] + self.rect[2]) / 2, (self.rect[1] + self.rect[3]) / 2


@dataclass
class OcrLine:
    text: str
    rect: tuple[float, float, float, float]
    score: float
    chars: list[OcrChar]

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "rect": list(self.rect), "score": self.score,
                "chars": [[c.text, list(c.rect), c.score] for c in self.chars]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> OcrLine:
        return cls(d["text"], tuple(d["rect"]), d["score"],
                   [OcrChar(t, tuple(r), s) for t, r, s in d["chars"]])


# Where the time goes on a page of text (docs/BENCHMARKS.md): recognition, then detection. Detection
# runs on the page scaled to DET_SIDE (RapidOCR 1.4 would pick 2000 px for any page over 1500 px,
# whatever det_limit_side_len says); text lines are cut from the page at up to REC_SIDE. For
# suggestions each line is narrowed to SQUASH of its width before recognition — PP-OCR's recogniser
# is trained on lines squeezed into 320 px and reads narrowed CJK lines as well, at a cost ∝ width —
# and lines read with a confidence below REREAD_BELOW (runs of digits and Latin letters suffer first)
# are read again at REREAD_SQUASH. Measured on 120 demo pages: the same names and units as full-width
# lines at 1600 px; 4–6× faster than RapidOCR's own call on pages of text.
DET_SIDE = 1280
REC_SIDE = 2000
SQUASH = 0.4
REREAD_BELOW = 0.97
REREAD_SQUASH = 0.6
MIN_ASPECT = 2.0  # a narrowed line keeps at least this width:height (single characters stay square-ish)


def _threads() -> int:
    """All cores up to four: spinning is off, so a busy machine degrades to one thread's speed
    instead of the 2–3× slowdown spinning threads caused (docs/BENCHMARKS.md)."""
    return max(1, min(4, os.cpu_count() or 1))


def _session_options(threads: int) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 4
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return so


def get_engine() -> Any:
    """The shared RapidOCR engine, or None when it is not installed."""
    global _engine, _engine_failed
    with _lock:
        if _engine is None and not _engine_failed:
            try:
                logging.getLogger("RapidOCR").setLevel(logging.ERROR)
                from rapidocr_onnxruntime import RapidOCR
                from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

                threads = _threads()
                # RapidOCR offers no way to turn thread spinning off: its three sessions are created
                # with our options while the engine is built (once; rebuilding them cost +0.3 s)
                saved = vars(OrtInferSession)["_init_sess_opts"]
                OrtInferSession._init_sess_opts = staticmethod(lambda _config: _session_options(threads))
                try:
                    engine = RapidOCR(print_verbose=False)
                finally:
                    OrtInferSession._init_sess_opts = saved
                # one or two lines per run: larger batches pad to the widest line and ran 30–40 %
                # slower on a page of text (cache misses; docs/BENCHMARKS.md)
                engine.text_rec.rec_batch_num = 2
                _engine = engine
            except Exception as exc:
                log.warning("OCR engine unavailable: %r", exc)
                _engine_failed = True
        return _engine


def _quad_rect(q: Sequence[Sequence[float]] | np.ndarray) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in q]
    ys = [float(p[1]) for p in q]
    return min(xs), min(ys), max(xs), max(ys)


def scale_image(img: np.ndarray, f: float) -> np.ndarray:
    """``img`` scaled by ``f`` (area interpolation, at least 1 px each way)."""
    import cv2

    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def _narrow(crop: np.ndarray, squash: float) -> np.ndarray:
    import cv2

    h, w = crop.shape[:2]
    target = max(round(w * squash), min(w, round(h * MIN_ASPECT)))
    if target >= w:
        return crop
    return cv2.resize(crop, (target, h), interpolation=cv2.INTER_AREA)


def _lighten_red(bgr: np.ndarray, rects: Sequence[tuple[int, int, int, int]]) -> np.ndarray:
    """Red-channel drop-out inside ``rects`` (a scanner's 红色滤除): every pixel becomes the grey of
    its red channel, so seal ink (red high) and its pink JPEG fringes turn light while black text
    and blue signatures under the seal (red low) stay dark."""
    out = bgr.copy()
    h, w = out.shape[:2]
    for left, top, right, bottom in rects:
        x0, y0, x1, y1 = max(0, int(left)), max(0, int(top)), min(w, int(right)), min(h, int(bottom))
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = out[y0:y1, x0:x1, 2:3]
    return out


def ocr_image(rgb: np.ndarray, engine: Any = None, *, det_side: int | None = None,
              rec_side: int = REC_SIDE, squash: float = 1.0,
              unred: Sequence[tuple[int, int, int, int]] = (), pad_small: bool = False) -> list[OcrLine]:
    """Lines with per-character boxes, in the coordinates of ``rgb``.

    ``squash`` < 1 narrows each line before recognition (faster, for suggestions); the verifier keeps
    1.0. Detection runs at ``det_side``, crops are cut at ``rec_side`` (long sides; never upscaled).
    ``unred``: pixel rectangles (left, top, right, bottom) of red seals whose ink is lightened first,
    so the black text printed under a seal (the unit's name, a signature) is found and read.
    ``pad_small``: an image narrower than the detector's minimum side is padded with white instead of
    being upscaled (the verifier's mosaics of thin bands at native resolution: 3× fewer pixels)."""
    engine = engine or get_engine()
    if engine is None:
        return []
    bgr = np.ascontiguousarray(rgb[:, :, ::-1]) if rgb.ndim == 3 else np.stack([rgb] * 3, axis=2)
    if unred and rgb.ndim == 3:
        bgr = _lighten_red(bgr, unred)
    det_side = det_side or DET_SIDE
    h, w = bgr.shape[:2]
    if min(h, w) < 32:  # the detector needs some room: pad with white (coordinates unchanged)
        pad = np.full((max(h, 32), max(w, 32), 3), 255, np.uint8)
        pad[:h, :w] = bgr
        bgr = pad
    rf = min(1.0, rec_side / max(bgr.shape[:2]))
    src = scale_image(bgr, rf) if rf < 1 else bgr
    df = min(1.0, det_side / max(src.shape[:2]))
    det_img = scale_image(src, df) if df < 1 else src
    min_side = int(getattr(engine.text_det, "limit_side_len", 0) or 0)
    if pad_small and getattr(engine.text_det, "limit_type", "") == "min" and min(det_img.shape[:2]) < min_side:
        padded = np.full((max(det_img.shape[0], min_side), max(det_img.shape[1], min_side), 3), 255, np.uint8)
        padded[:det_img.shape[0], :det_img.shape[1]] = det_img
        det_img = padded
    with _lock:  # onnxruntime sessions are thread-safe, RapidOCR's wrapper state is not
        det_img, record = engine.maybe_add_letterbox(det_img, {})
        boxes, _ = engine.auto_text_det(det_img)
        if boxes is None or len(boxes) == 0:
            return []
        top = float(record.get("padding_1", {}).get("top", 0))
        sh, sw = src.shape[:2]
        quads = []
        for b in boxes:
            q = np.array(b, dtype=np.float32).reshape(4, 2)
            q[:, 1] -= top
            q /= df
            q[:, 0] = q[:, 0].clip(0, sw - 1)
            q[:, 1] = q[:, 1].clip(0, sh - 1)
            quads.append(q)
        crops = engine.get_crop_img_list(src, quads)
        narrowed = [_narrow(c, squash) for c in crops] if squash < 1 else crops
        rec_res, _ = engine.text_rec(narrowed, True)
        if squash < REREAD_SQUASH:
            # lines read with low confidence (in practice: runs of digits, Latin, wide spacing) are
            # read again less narrowed; the more confident reading wins
            again = [i for i, r in enumerate(rec_res) if float(r[1]) < REREAD_BELOW]
            if again:
                second, _ = engine.text_rec([_narrow(crops[i], REREAD_SQUASH) for i in again], True)
                for i, r in zip(again, second, strict=True):
                    if float(r[1]) > float(rec_res[i][1]):
                        rec_res[i] = r
    lines: list[OcrLine] = []
    for quad, crop, (text, score, info) in zip(quads, crops, rec_res, strict=True):
        text, score = str(text), float(score)
        if score < engine.text_score or not text:
            continue
        rect = _scaled(_quad_rect(quad), rf)
        chars: list[OcrChar] = []
        along = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))
        across = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
        if across < 1.5 * along:  # a horizontal line (RapidOCR turns taller crops before reading them)
            chars = [OcrChar(t, _scaled(r, rf), sc) for t, r, sc in _char_rects(quad, text, info, score)]
        else:
            # character positions are fractions of the line, so the un-narrowed crop maps them back
            (_t, _s, boxes, words, confs), = engine.cal_rec_boxes([crop], [quad], [(text, score, info)])
            if boxes and len(boxes) == len(words) == len(text):
                chars = [OcrChar(str(t), _scaled(_quad_rect(b), rf), float(c))
                         for b, t, c in zip(boxes, words, confs, strict=False)]
        if not chars or "".join(c.text for c in chars) != text:
            chars = _split_evenly(text, rect, score)
        lines.append(OcrLine(text, rect, score, chars))
    lines.sort(key=lambda ln: (round(ln.rect[1] / max(1.0, ln.rect[3] - ln.rect[1])), ln.rect[0]))
    return lines


def _scaled(r: tuple[float, float, float, float], f: float) -> tuple[float, float, float, float]:
    return r[0] / f, r[1] / f, r[2] / f, r[3] / f


def _char_rects(quad: np.ndarray, text: str, info: Sequence[Any],
                score: float) -> list[tuple[str, tuple[float, float, float, float], float]]:
    """Per-character rectangles of a horizontal line from the recogniser's CTC columns: character i
    is centred on its column, as wide as the line's mean pitch of characters of its kind (CJK or
    Latin/digits), and mapped into the detected quadrilateral (so slanted lines come out right).
    ``info`` is RapidOCR's word info: [columns in the line, words, each word's columns, kinds, scores]."""
    col_num, _words, word_cols, kinds, confs = info
    cols = [c for wc in word_cols for c in wc]
    if len(cols) != len(text) or not col_num:
        return []
    pitch: dict[str, list[float]] = {"cn": [], "en&num": []}
    kind_of: list[str] = []
    for wc, kind in zip(word_cols, kinds, strict=False):
        if len(wc) > 1:
            pitch[kind].append((wc[-1] - wc[0]) / (len(wc) - 1))
        kind_of += [kind] * len(wc)
    default = col_num / len(text)
    half = {k: (float(np.mean(v)) if v else default) / 2 / col_num for k, v in pitch.items()}
    c = (np.asarray(cols, dtype=np.float64) + 0.5) / col_num
    h = np.array([half[k] for k in kind_of])
    u0, u1 = np.clip(c - h, 0, 1)[:, None], np.clip(c + h, 0, 1)[:, None]
    q = np.asarray(quad, dtype=np.float64).reshape(4, 2)
    top0, top1 = q[0] + u0 * (q[1] - q[0]), q[0] + u1 * (q[1] - q[0])
    bot0, bot1 = q[3] + u0 * (q[2] - q[3]), q[3] + u1 * (q[2] - q[3])
    pts = np.stack([top0, top1, bot1, bot0], axis=1)  # (n, 4, 2)
    lo, hi = pts.min(axis=1), pts.max(axis=1)
    scores = confs if len(confs) == len(text) else [score] * len(text)
    return [(ch, (float(lo[i, 0]), float(lo[i, 1]), float(hi[i, 0]), float(hi[i, 1])), float(scores[i]))
            for i, ch in enumerate(text)]


def _split_evenly(text: str, rect: tuple[float, float, float, float], score: float) -> list[OcrChar]:
    n = max(1, len(text))
    left, top, right, bottom = rect
    vertical = (bottom - top) > 1.5 * (right - left) and n > 1
    out = []
    for i, ch in enumerate(text):
        if vertical:
            step = (bottom - top) / n
            out.append(OcrChar(ch, (left, top + i * step, right, top + (i + 1) * step), score))
        else:
            step = (right - left) / n
            out.append(OcrChar(ch, (left + i * step, top, left + (i + 1) * step, bottom), score))
    return out


# ---------------------------------------------------------------- fuzzy matching

_IGNORED = re.compile(r"[\s·•・.．\-—_:：,，、()（）]")
# characters OCR engines commonly swap on scans (both directions)
CONFUSIONS = [
    "己已巳", "未末", "土士", "人入八", "大太犬", "日曰", "王玉", "木本术", "天夭", "千干于",
    "刀力", "贝见", "买卖", "古占", "丽雨", "尔尓", "勒勤", "疆礓", "乌鸟", "鲁兽", "齐斉",
    "江汪", "伟传", "娟涓", "婷亭", "阿阿", "提堤", "热热", "孜孙", "克免", "尼泥", "汗汁",
    "0OoD", "1lI|", "5S", "8B", "2Z",
]
_CONF = {c: set(group) for group in CONFUSIONS for c in group}


def normalise(s: str) -> str:
    return _IGNORED.sub("", s)


def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if b in _CONF.get(a, ()):
        return 0.34
    return 1.0


def distance(a: str, b: str) -> float:
    """Levenshtein distance where known OCR confusions cost a third of a substitution."""
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)] + [0.0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + _sub_cost(ca, cb))
        prev = cur
    return prev[-1]


def allowed_distance(n: int) -> float:
    if n <= 2:
        return 0.34  # a two-character name: one known confusion at most
    if n <= 4:
        return 1.0
    return max(1.0, round(n * 0.25))


@dataclass
class Match:
    category: str
    chars: list[tuple[int, int]]  # (line index, char index)
    score: float


def match_targets(lines: Sequence[OcrLine], targets: Iterable[tuple[str, str]]) -> list[Match]:
    """Find each (category, text) target in the OCR lines, within a line or across two lines."""
    seq: list[tuple[int, int, str]] = []  # normalised chars with their origin
    line_start: list[int] = []
    for li, line in enumerate(lines):
        line_start.append(len(seq))
        for ci, ch in enumerate(line.chars):
            for c in normalise(ch.text):
                seq.append((li, ci, c))
    text = "".join(c for _, _, c in seq)
    matches: list[Match] = []
    seen: set[tuple[str, tuple[tuple[int, int], ...]]] = set()
    for category, raw_target in targets:
        target = normalise(raw_target)
        n = len(target)
        if n < 2:
            continue
        budget = allowed_distance(n)
        # A window can only be within budget if it holds at least n − budget characters that equal or
        # resemble one of the target's (each other target character costs ≥ 1): a prefix count of
        # such characters skips the edit distance for almost every window of a dense page.
        near = {c for c in set(text) if any(_sub_cost(c, t) < 1 for t in target)}
        prefix = [0]
        for c in text:
            prefix.append(prefix[-1] + (c in near))
        need = n - budget
        found: list[tuple[float, int, int]] = []
        for length in {max(2, n - 1), n, n + 1}:
            for start in range(0, len(text) - length + 1):
                if prefix[start + length] - prefix[start] < need:
                    continue
                window = text[start:start + length]
                lines_in = {seq[k][0] for k in range(start, start + length)}
                if len(lines_in) > 2 or (len(lines_in) == 2 and max(lines_in) - min(lines_in) != 1):
                    continue
                d = distance(window, target)
                if d <= budget:
                    found.append((d, start, length))
        found.sort()
        taken: set[int] = set()
        for d, start, length in found:
            span = set(range(start, start + length))
            if span & taken:
                continue
            taken |= span
            chars = tuple(sorted({(seq[k][0], seq[k][1]) for k in span}))
            key = (category, chars)
            if key in seen:
                continue
            seen.add(key)
            ocr_score = float(np.mean([lines[li].chars[ci].score for li, ci in chars]))
            matches.append(Match(category, list(chars), round((1 - d / max(n, 1)) * ocr_score, 4)))
    return matches


def boxes_for_matches(lines: Sequence[OcrLine], matches: Sequence[Match], width: int, height: int) -> list[Box]:
    """One box per line segment of each match (a name split across lines gives two boxes)."""
    out: list[Box] = []
    for m in matches:
        by_line: dict[int, list[tuple[float, float, float, float]]] = {}
        for li, ci in m.chars:
            by_line.setdefault(li, []).append(lines[li].chars[ci].rect)
        for rects in by_line.values():
            left = min(r[0] for r in rects)
            top = min(r[1] for r in rects)
            right = max(r[2] for r in rects)
            bottom = max(r[3] for r in rects)
            pad = (bottom - top) * 0.12
            out.append(Box.from_pixels((left - pad, top - pad, right + pad, bottom + pad), width, height,
                                       category=m.category, source="ocr", score=m.score))
    return out


def suggest_ocr(lines: Sequence[OcrLine], names: Sequence[str], units: Sequence[str], width: int,
                height: int) -> list[Box]:
    targets = [("name", n) for n in names if n] + [("unit", u) for u in units if u]
    return boxes_for_matches(lines, match_targets(lines, targets), width, height)

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


def get_engine() -> Any:
    """The shared RapidOCR engine, or None when it is not installed."""
    global _engine, _engine_failed
    with _lock:
        if _engine is None and not _engine_failed:
            try:
                logging.getLogger("RapidOCR").setLevel(logging.ERROR)
                from rapidocr_onnxruntime import RapidOCR

                # "max" keeps small crops (verification mosaics) at their size instead of upscaling.
                # Threads: half the cores — on a 2-core PC two ONNX threads fighting other work ran
                # recognition 3× slower than one (docs/BENCHMARKS.md).
                threads = max(1, min(4, (os.cpu_count() or 2) // 2))
                _engine = RapidOCR(print_verbose=False, det_limit_type="max", det_limit_side_len=1600,
                                   intra_op_num_threads=threads, inter_op_num_threads=1)
            except Exception as exc:
                log.warning("OCR engine unavailable: %r", exc)
                _engine_failed = True
        return _engine


def _quad_rect(q: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in q]
    ys = [float(p[1]) for p in q]
    return min(xs), min(ys), max(xs), max(ys)


def ocr_image(rgb: np.ndarray, engine: Any = None, *, use_cls: bool = False) -> list[OcrLine]:
    """Lines with per-character boxes, in the coordinates of ``rgb``."""
    engine = engine or get_engine()
    if engine is None:
        return []
    bgr = np.ascontiguousarray(rgb[:, :, ::-1]) if rgb.ndim == 3 else np.stack([rgb] * 3, axis=2)
    with _lock:  # onnxruntime sessions are thread-safe, RapidOCR's wrapper state is not
        result, _ = engine(bgr, return_word_box=True, use_cls=use_cls)
    lines: list[OcrLine] = []
    for item in result or []:
        quad, text, score = item[0], str(item[1]), float(item[2])
        rect = _quad_rect(quad)
        chars: list[OcrChar] = []
        if len(item) >= 5 and item[3] and item[4] and len(item[3]) == len(item[4]):
            scores = item[5] if len(item) >= 6 else [score] * len(item[4])
            for wq, wt, ws in zip(item[3], item[4], scores, strict=False):
                chars.append(OcrChar(str(wt), _quad_rect(wq), float(ws)))
        if not chars or "".join(c.text for c in chars) != text:
            chars = _split_evenly(text, rect, score)
        lines.append(OcrLine(text, rect, score, chars))
    lines.sort(key=lambda ln: (round(ln.rect[1] / max(1.0, ln.rect[3] - ln.rect[1])), ln.rect[0]))
    return lines


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
        found: list[tuple[float, int, int]] = []
        for length in {max(2, n - 1), n, n + 1}:
            for start in range(0, len(text) - length + 1):
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


def boxes_for_matches(lines: Sequence[OcrLine], matches: Sequence[Match], width: int, height: int,
                      *, scale: float = 1.0) -> list[Box]:
    """One box per line segment of each match (a name split across lines gives two boxes)."""
    out: list[Box] = []
    for m in matches:
        by_line: dict[int, list[tuple[float, float, float, float]]] = {}
        for li, ci in m.chars:
            by_line.setdefault(li, []).append(lines[li].chars[ci].rect)
        for rects in by_line.values():
            left = min(r[0] for r in rects) * scale
            top = min(r[1] for r in rects) * scale
            right = max(r[2] for r in rects) * scale
            bottom = max(r[3] for r in rects) * scale
            pad = (bottom - top) * 0.12
            out.append(Box.from_pixels((left - pad, top - pad, right + pad, bottom + pad), width, height,
                                       category=m.category, source="ocr", score=m.score))
    return out


def suggest_ocr(lines: Sequence[OcrLine], names: Sequence[str], units: Sequence[str], width: int, height: int,
                *, scale: float = 1.0) -> list[Box]:
    targets = [("name", n) for n in names if n] + [("unit", u) for u in units if u]
    return boxes_for_matches(lines, match_targets(lines, targets), width, height, scale=scale)

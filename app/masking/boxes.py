"""Box JSON model and validation (DESIGN.md "Box JSON").

    {"pages": [{"index": 0, "boxes": [{"category": "name|unit|seal|eyes|other",
                                       "x0": 0.1, "y0": 0.2, "x1": 0.3, "y1": 0.25,
                                       "score": 0.9, "source": "ocr|seal|eyes|manual"}]}]}

Coordinates are fractions of the page width/height, origin top-left, so one file serves PDFs and
images. Boxes carry no text: a suggestion never stores what it covers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.errors import InputFileError

CATEGORIES = ("name", "unit", "seal", "eyes", "other")
SOURCES = ("ocr", "seal", "eyes", "manual")
CATEGORY_LABELS = {"name": "姓名", "unit": "工作单位", "seal": "公章", "eyes": "眼部", "other": "其他"}
SOURCE_LABELS = {"ocr": "文字识别", "seal": "印章识别", "eyes": "眼部识别", "manual": "手工"}


@dataclass(frozen=True)
class Box:
    category: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0
    source: str = "manual"

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if self.source not in SOURCES:
            raise ValueError(f"unknown source {self.source!r}")
        for name in ("x0", "y0", "x1", "y1", "score"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                raise ValueError("coordinates must be finite numbers")
            # 6 decimals (a 100 000 px page at 0.1 px): a box equals its JSON round trip
            object.__setattr__(self, name, round(float(v), 6 if name != "score" else 4))
        if not (0.0 <= self.x0 < self.x1 <= 1.0 and 0.0 <= self.y0 < self.y1 <= 1.0):
            raise ValueError(f"box ({self.x0}, {self.y0}, {self.x1}, {self.y1}) is not inside 0..1 with x0<x1, y0<y1")

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def to_pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """Pixel rectangle (left, top, right, bottom), rounded outward, clipped, at least 1 px."""
        left = max(0, math.floor(self.x0 * width))
        top = max(0, math.floor(self.y0 * height))
        right = min(width, max(left + 1, math.ceil(self.x1 * width)))
        bottom = min(height, max(top + 1, math.ceil(self.y1 * height)))
        return left, top, right, bottom

    @classmethod
    def from_pixels(
        cls, rect: tuple[float, float, float, float], width: int, height: int, *, category: str,
        source: str, score: float = 1.0, pad: float = 0.0,
    ) -> Box:
        """Box from a pixel rectangle; ``pad`` grows it by that fraction of its own size on each side."""
        left, top, right, bottom = rect
        pw, ph = (right - left) * pad, (bottom - top) * pad
        x0 = min(max((left - pw) / width, 0.0), 1.0)
        y0 = min(max((top - ph) / height, 0.0), 1.0)
        x1 = min(max((right + pw) / width, 0.0), 1.0)
        y1 = min(max((bottom + ph) / height, 0.0), 1.0)
        if x1 <= x0:
            x1 = min(1.0, x0 + 1.0 / width)
            x0 = x1 - 1.0 / width
        if y1 <= y0:
            y1 = min(1.0, y0 + 1.0 / height)
            y0 = y1 - 1.0 / height
        return cls(category, float(x0), float(y0), float(x1), float(y1), float(round(score, 4)), source)

    def overlaps(self, other: Box) -> float:
        """Intersection over the smaller box's area (0..1)."""
        ix = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        iy = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        small = min(self.width * self.height, other.width * other.height)
        return (ix * iy) / small if small > 0 else 0.0

    def moved(self, dx: float, dy: float) -> Box:
        dx = min(max(dx, -self.x0), 1.0 - self.x1)
        dy = min(max(dy, -self.y0), 1.0 - self.y1)
        return replace(self, x0=self.x0 + dx, x1=self.x1 + dx, y0=self.y0 + dy, y1=self.y1 + dy)

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "x0": round(self.x0, 6), "y0": round(self.y0, 6),
                "x1": round(self.x1, 6), "y1": round(self.y1, 6), "score": round(self.score, 4),
                "source": self.source}


@dataclass
class PageBoxes:
    index: int
    boxes: list[Box] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "boxes": [b.to_json() for b in self.boxes]}


@dataclass
class BoxSet:
    pages: list[PageBoxes] = field(default_factory=list)

    def for_page(self, index: int) -> list[Box]:
        out: list[Box] = []
        for p in self.pages:
            if p.index == index:
                out.extend(p.boxes)
        return out

    def page(self, index: int) -> PageBoxes:
        """The PageBoxes entry for ``index``, created if missing."""
        for p in self.pages:
            if p.index == index:
                return p
        pb = PageBoxes(index)
        self.pages.append(pb)
        self.pages.sort(key=lambda p: p.index)
        return pb

    @property
    def max_index(self) -> int:
        return max((p.index for p in self.pages if p.boxes), default=-1)

    def count(self) -> int:
        return sum(len(p.boxes) for p in self.pages)

    def merged(self, other: BoxSet) -> BoxSet:
        out = BoxSet([PageBoxes(p.index, list(p.boxes)) for p in self.pages])
        for p in other.pages:
            out.page(p.index).boxes.extend(p.boxes)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"pages": [p.to_json() for p in sorted(self.pages, key=lambda p: p.index)]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)

    def save(self, path: str | Path) -> None:
        from app.fileio import atomic_write_text

        atomic_write_text(path, self.dumps() + "\n", what="保存遮盖框文件")

    @classmethod
    def from_json(cls, data: Any, *, origin: str = "遮盖框") -> BoxSet:
        if not isinstance(data, dict) or not isinstance(data.get("pages"), list):
            raise InputFileError(f"{origin}格式错误：缺少 \"pages\" 列表")
        pages: list[PageBoxes] = []
        for pi, page in enumerate(data["pages"]):
            if not isinstance(page, dict):
                raise InputFileError(f"{origin}格式错误：第 {pi + 1} 个页面条目不是对象")
            index = page.get("index")
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                raise InputFileError(f"{origin}格式错误：第 {pi + 1} 个页面条目的 index 必须是非负整数")
            raw_boxes = page.get("boxes", [])
            if not isinstance(raw_boxes, list):
                raise InputFileError(f"{origin}格式错误：第 {index + 1} 页的 boxes 必须是列表")
            boxes: list[Box] = []
            for bi, rb in enumerate(raw_boxes):
                where = f"第 {index + 1} 页第 {bi + 1} 个框"
                if not isinstance(rb, dict):
                    raise InputFileError(f"{origin}格式错误：{where}不是对象")
                try:
                    boxes.append(Box(
                        category=rb.get("category", "other"),
                        x0=rb["x0"], y0=rb["y0"], x1=rb["x1"], y1=rb["y1"],
                        score=rb.get("score", 1.0), source=rb.get("source", "manual"),
                    ))
                except KeyError as exc:
                    raise InputFileError(f"{origin}格式错误：{where}缺少坐标 {exc.args[0]}") from exc
                except (ValueError, TypeError) as exc:
                    raise InputFileError(
                        f"{origin}格式错误：{where}无效（类别须为 {'/'.join(CATEGORIES)}，"
                        f"来源须为 {'/'.join(SOURCES)}，坐标须为 0~1 的页面比例且 x0<x1、y0<y1）",
                        detail=str(exc),
                    ) from exc
            pages.append(PageBoxes(index, boxes))
        return cls(pages)

    @classmethod
    def loads(cls, text: str, *, origin: str = "遮盖框") -> BoxSet:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(f"{origin}不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from exc
        return cls.from_json(data, origin=origin)

    @classmethod
    def load(cls, path: str | Path) -> BoxSet:
        from app.fileio import MAX_DATA_FILE_BYTES, read_user_text

        p = Path(path)
        text = read_user_text(p, MAX_DATA_FILE_BYTES, what="遮盖框文件", encoding="utf-8-sig")
        return cls.loads(text, origin=f"遮盖框文件 {p.name} ")

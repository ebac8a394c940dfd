"""Residual check: the suggestion pipeline run again on a masked output.

Anything it still finds outside the boxes — the person's name, the unit's name or another secret read
by OCR with the suggestion matcher, a red seal, an eye region — is a residual: a second occurrence left
unboxed, a box drawn too small, a seal not covered. Residuals are reported as page-relative boxes
(never the words found); they block export until boxed or explicitly accepted (recorded in the audit).

This is not part of the fail-closed verifier (app.masking.verify): it needs the names to look for and
a full-page OCR (≈ 1–2 s a page), so it runs only when there are names, and in the background in the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.masking.boxes import Box, BoxSet

COVERED = 0.5  # a finding at least this much under the boxes is what the boxes already hide
SEAL_COVERED = 0.9  # a seal of the original must be this much under the boxes (a bar across it is not)
GRID = 512  # coverage is measured on a page grid of this many cells a side
KINDS = ("ocr", "seal", "eyes")


@dataclass(frozen=True)
class Residual:
    page: int  # 0-based
    category: str  # name | unit | seal | eyes | other
    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, page: int, box: Box) -> Residual:
        return cls(page, box.category, box.x0, box.y0, box.x1, box.y1)

    def box(self) -> Box:
        source = {"seal": "seal", "eyes": "eyes"}.get(self.category, "ocr")
        return Box(self.category, self.x0, self.y0, self.x1, self.y1, 1.0, source)

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "category": self.category, "x0": self.x0, "y0": self.y0, "x1": self.x1,
                "y1": self.y1}


def _covered_share(box: Box, mask: np.ndarray) -> float:
    n = mask.shape[0]
    x0, y0 = int(box.x0 * n), int(box.y0 * n)
    x1, y1 = max(x0 + 1, int(np.ceil(box.x1 * n))), max(y0 + 1, int(np.ceil(box.y1 * n)))
    cells = mask[y0:y1, x0:x1]
    return float(cells.mean()) if cells.size else 0.0


def _mask_of(boxes: Sequence[Box]) -> np.ndarray:
    m = np.zeros((GRID, GRID), bool)
    for b in boxes:
        m[int(b.y0 * GRID):int(np.ceil(b.y1 * GRID)), int(b.x0 * GRID):int(np.ceil(b.x1 * GRID))] = True
    return m


def page_residual(rgb: np.ndarray, boxes: Sequence[Box], *, names: Sequence[str] = (), units: Sequence[str] = (),
                  others: Sequence[str] = (), kinds: Sequence[str] = KINDS,
                  original: np.ndarray | None = None) -> list[Box]:
    """What the suggestion pipeline still finds on one masked page image, outside ``boxes``.

    A box across a seal breaks its ring, and a broken ring is no longer found as a seal on the masked
    page; so, given the ``original`` page, its seals count unless (nearly) all under the boxes."""
    from app.masking.suggest.eyes import suggest_eyes
    from app.masking.suggest.ocr import SQUASH, boxes_for_matches, get_engine, match_targets, ocr_image
    from app.masking.suggest.seal import suggest_seals

    h, w = rgb.shape[:2]
    found: list[Box] = []
    seals = suggest_seals(rgb)
    if "seal" in kinds:
        found += seals
    if "eyes" in kinds:
        found += suggest_eyes(rgb)
    targets = ([("name", n) for n in names if n] + [("unit", u) for u in units if u]
               + [("other", s) for s in others if s])
    if "ocr" in kinds and targets and get_engine() is not None:
        lines = ocr_image(rgb, squash=SQUASH, unred=[b.to_pixels(w, h) for b in seals])
        found += boxes_for_matches(lines, match_targets(lines, targets), w, h)
    mask = _mask_of(boxes)
    out = [b for b in found if _covered_share(b, mask) < COVERED]
    if original is not None and "seal" in kinds:
        out += [b for b in suggest_seals(original) if _covered_share(b, mask) < SEAL_COVERED
                and not any(b.overlaps(o) > 0.5 for o in out if o.category == "seal")]
    return out


def find_residual(path: str | Path, boxes: BoxSet, *, names: Sequence[str] = (), units: Sequence[str] = (),
                  others: Sequence[str] = (), kinds: Sequence[str] = KINDS, original: str | Path | None = None,
                  progress: Callable[..., object] | None = None) -> list[Residual]:
    """Residuals on every page of the masked file at ``path`` (``original``: the unmasked input)."""
    from app.masking.source import iter_pages, page_count, read_input

    data = read_input(path)
    name = Path(path).name
    total = page_count(data, name)
    originals = None
    if original is not None:
        originals = iter_pages(read_input(original), Path(original).name)
    out: list[Residual] = []
    for sp in iter_pages(data, name):
        orig = next(originals, None) if originals is not None else None
        orig_rgb = None
        if orig is not None:
            orig_rgb = np.asarray(orig.image.convert("RGB"))
            if orig_rgb.shape[:2] != (sp.image.height, sp.image.width):
                orig_rgb = np.asarray(orig.image.convert("RGB").resize(sp.image.size))
        if progress:
            progress(sp.index, total, f"正在检查第 {sp.index + 1}/{total} 页是否有遗漏")
        rgb = np.asarray(sp.image.convert("RGB"))
        out += [Residual.of(sp.index, b) for b in page_residual(rgb, boxes.for_page(sp.index), names=names,
                                                                 units=units, others=others, kinds=kinds,
                                                                 original=orig_rgb)]
    return out


def residual_summary(found: Sequence[Residual]) -> str:
    """Where residuals are, in words for the officer (never what they say)."""
    from app.masking.boxes import CATEGORY_LABELS

    parts = [f"第 {r.page + 1} 页{CATEGORY_LABELS.get(r.category, r.category)}" for r in found]
    return "、".join(dict.fromkeys(parts))

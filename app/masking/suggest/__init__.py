"""Mask suggestions (OCR name/unit, red seals, eyes) — proposals only, never applied silently."""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import Cancelled
from app.masking.boxes import Box, BoxSet, PageBoxes
from app.masking.source import iter_pages, page_count, read_input
from app.masking.suggest import cache

KINDS = ("ocr", "seal", "eyes")
OCR_CACHE_VERSION = 2  # bump when the OCR pipeline changes what it reads


def _boxes_from_json(rows: list[dict]) -> list[Box]:
    return [Box(**r) for r in rows]


def suggest_page(rgb: np.ndarray, key: str | None, *, names: Sequence[str], units: Sequence[str],
                 kinds: Sequence[str] = KINDS, use_cache: bool = True) -> list[Box]:
    """Suggestions for one page image (RGB array)."""
    from app.masking.suggest.eyes import suggest_eyes
    from app.masking.suggest.ocr import SQUASH, OcrLine, get_engine, ocr_image, suggest_ocr
    from app.masking.suggest.seal import suggest_seals

    h, w = rgb.shape[:2]
    out: list[Box] = []
    found_by: dict[str, list[Box]] = {}
    want_ocr = "ocr" in kinds and bool(names or units) and get_engine() is not None
    for kind, fn in (("seal", suggest_seals), ("eyes", suggest_eyes)):
        if kind not in kinds and not (kind == "seal" and want_ocr):
            continue  # OCR reads under seals, so it needs them (7 ms) even when they are not asked for
        cached = cache.get(key, kind) if (key and use_cache) else None
        if cached is None:
            found = fn(rgb)
            if key:
                cache.put(key, kind, [b.to_json() for b in found])
        else:
            found = _boxes_from_json(cached)
        found_by[kind] = found
        if kind in kinds:
            out.extend(found)
    if want_ocr:
        cached = cache.get(key, "ocr") if (key and use_cache) else None
        if not isinstance(cached, dict) or cached.get("v") != OCR_CACHE_VERSION:
            seals = [b.to_pixels(w, h) for b in found_by.get("seal", [])]
            lines = ocr_image(rgb, squash=SQUASH, unred=seals)
            if key:
                cache.put(key, "ocr", {"v": OCR_CACHE_VERSION, "lines": [ln.to_json() for ln in lines]})
        else:
            lines = [OcrLine.from_json(d) for d in cached["lines"]]
        out.extend(suggest_ocr(lines, names, units, w, h))
    return out


def suggest(in_path: str | Path, *, names: Sequence[str] = (), units: Sequence[str] = (),
            progress: Callable[..., object] | None = None, kinds: Sequence[str] = KINDS,
            use_cache: bool = True, cancel: Callable[[], bool] | None = None) -> BoxSet:
    """Proposed boxes for every page of ``in_path``. ``progress(done, total, message)`` may raise
    Cancelled (TaskState.progress does); ``cancel()`` returning True cancels too."""
    data = read_input(in_path)
    doc_sha = hashlib.sha256(data).hexdigest()
    name = Path(in_path).name
    total = page_count(data, name)
    result = BoxSet()
    for sp in iter_pages(data, name):
        if cancel and cancel():
            raise Cancelled()
        if progress:
            progress(sp.index, total, f"正在识别第 {sp.index + 1}/{total} 页")
        rgb = np.asarray(sp.image.convert("RGB"))
        boxes = suggest_page(rgb, cache.page_key(doc_sha, sp.index), names=names, units=units, kinds=kinds,
                             use_cache=use_cache)
        result.pages.append(PageBoxes(sp.index, boxes))
    if progress:
        progress(total, total, "识别完成")
    return result


class _CallableModule(types.ModuleType):
    """``app.masking.suggest`` is both this package and the interface function ``suggest(...)``:
    importing the package replaces the function attribute of ``app.masking``, so the package itself
    is made callable and forwards to :func:`suggest`."""

    def __call__(self, *args: Any, **kwargs: Any) -> BoxSet:
        return suggest(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

"""Masking: burn-in redaction (burn), fail-closed verification (verify), suggestions (suggest/), audit.

Public API (interfaces.md §D)::

    apply_masks(in_path, boxes, out_path, *, secrets=(), fill=(0, 0, 0), progress=None) -> MaskResult
    verify_masked(out_path, boxes, *, original=None, secrets=()) -> VerifyReport
    suggest(in_path, *, names, units, progress=None) -> BoxSet
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.masking.boxes import Box, BoxSet, PageBoxes

if TYPE_CHECKING:
    from app.masking.burn import MaskResult
    from app.masking.verify import VerifyReport

__all__ = ["Box", "BoxSet", "MaskResult", "PageBoxes", "VerifyReport", "apply_masks", "suggest", "verify_masked"]


def apply_masks(*args: Any, **kwargs: Any) -> MaskResult:
    from app.masking.burn import apply_masks as _apply

    return _apply(*args, **kwargs)


def verify_masked(*args: Any, **kwargs: Any) -> VerifyReport:
    from app.masking.verify import verify_masked as _verify

    return _verify(*args, **kwargs)


def suggest(*args: Any, **kwargs: Any) -> BoxSet:
    from app.masking.suggest import suggest as _suggest

    return _suggest(*args, **kwargs)

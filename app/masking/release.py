"""What may leave the vault: the one decision every path that writes a document out takes.

A page whose material needs masking (the profile's ``mask`` rule for its slot; without a profile, every
slot except the never-masked ones) leaves the vault only as its verified masked derivative (at least one
box burned in), or as itself when the officer explicitly decided 无需遮盖 (recorded with who and when).
Anything else — not masked yet, masked with no box, a masked file missing, a 无需遮盖 nobody recorded —
is refused. Pages of materials that need no masking leave as they are (re-encoded, metadata dropped).

Used by the upload export of one document (app.services.release → ``docs export`` and the 材料 page),
by the bundle's pre-flight and page sources (app.export.bundle), and mirrored by ``verify-bundle``.
"""

from __future__ import annotations

from dataclasses import dataclass

# DOMAIN.md §4: materials that are never masked (the photo, 公示 documents, recommendation, 呈报表)
NEVER_MASK_SLOTS = frozenset({"photo", "gongshi", "gongshi_result", "recommendation", "chengbaobiao"})

MASKED, ORIGINAL = "masked", "original"

# problem code → what the officer reads (after “{label}”第 N 页)
PROBLEMS = {
    "unmasked": "尚未遮盖：请在“遮盖”页框选需遮盖的内容并生成遮盖件，或点“无需遮盖”",
    "no_boxes": "标记为已遮盖但没有任何遮盖框：请重新框选并生成遮盖件，或点“无需遮盖”",
    "masked_missing": "的遮盖结果缺失，请重新遮盖",
    "not_needed_unrecorded": "标记为“无需遮盖”但没有记录是谁、何时确认的：请在“遮盖”页重新点“无需遮盖”确认",
}


@dataclass(frozen=True)
class PageRelease:
    source: str  # "masked" | "original" | "" (refused)
    problem: str = ""  # a key of PROBLEMS when refused

    @property
    def ok(self) -> bool:
        return not self.problem

    def message(self, label: str, page_index: int) -> str:
        """The refusal in the officer's words, e.g. “劳动合同”第 1 页尚未遮盖：…"""
        return f"“{label}”第 {page_index + 1} 页{PROBLEMS[self.problem]}"


def slot_needs_mask(slot: str, profile_rule: bool | None = None) -> bool:
    """The profile's rule for the slot when known, else: every personal material but the never-masked."""
    if profile_rule is not None:
        return bool(profile_rule)
    return slot not in NEVER_MASK_SLOTS


def page_release(*, mask_required: bool, mask_state: str, masked_sha: str | None, boxes: int,
                 not_needed_by: str | None, masked_exists: bool = True) -> PageRelease:
    """Which bytes of a page may leave the vault, or why none may."""
    if not mask_required:
        return PageRelease(ORIGINAL)
    if mask_state == "masked":
        if not masked_sha or not masked_exists:
            return PageRelease("", "masked_missing")
        if boxes <= 0:
            return PageRelease("", "no_boxes")
        return PageRelease(MASKED)
    if mask_state == "not_needed":
        if not (not_needed_by or "").strip():
            return PageRelease("", "not_needed_unrecorded")
        return PageRelease(ORIGINAL)
    return PageRelease("", "unmasked")
